//go:build unix

package main

func pacingScenarios() []scenario { return nil }
