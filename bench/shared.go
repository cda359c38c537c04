//go:build unix

package main

func sharedScenarios() []scenario { return nil }
