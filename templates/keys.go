package templates

import "strconv"

// Keys returns the name each header cell is addressed by in a template: the
// cell itself, except that an empty cell becomes column_N (1-based) and a
// name seen before gets the first free suffix _2, _3, ….
func Keys(header []string) []string {
	keys := make([]string, len(header))
	taken := make(map[string]bool, len(header))
	for _, h := range header {
		if h != "" {
			taken[h] = true
		}
	}
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		k := h
		if k == "" {
			k = "column_" + strconv.Itoa(i+1)
		}
		if seen[k] || (h == "" && taken[k]) {
			base := k
			for n := 2; ; n++ {
				k = base + "_" + strconv.Itoa(n)
				if !seen[k] && !taken[k] {
					break
				}
			}
		}
		seen[k] = true
		keys[i] = k
	}
	return keys
}
