//go:build unix

package main

import (
	"fmt"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// pacingScenarios: a provider at 1200 requests a minute whose bucket lets
// only 1, 5 or 20 requests burst (strict providers and Azure's short
// windows behave like burst 1), told with --rpm or learned from 429s
// alone, at several -j.
func pacingScenarios() []scenario {
	const rpm, rows = 1200, 200
	ideal := rows * time.Minute / rpm
	var all []scenario
	for _, burst := range []int{1, 5} {
		for _, j := range []int{8, 50, 200} {
			all = append(all, scenario{
				name: fmt.Sprintf("rpm/given-burst%d-j%d", burst, j), rows: rows,
				provider: fakeprovider.Options{RPM: rpm, Burst: burst},
				args:     []string{"-j", fmt.Sprint(j), "--rpm", fmt.Sprint(rpm)}, ideal: ideal, maxRatio: 1.10,
			})
		}
	}
	// Retry-After, retry-after-ms and x-ratelimit-* come on 429s only.
	for _, burst := range []int{1, 5, 20} {
		for _, j := range []int{8, 50, 200} {
			all = append(all, scenario{
				name: fmt.Sprintf("learned/429only-burst%d-j%d", burst, j), rows: rows,
				provider: fakeprovider.Options{RPM: rpm, Burst: burst, LimitHeadersOn429: true},
				args:     []string{"-j", fmt.Sprint(j)}, ideal: ideal, maxRatio: 1.5,
			})
		}
	}
	return all
}
