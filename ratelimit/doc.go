// Package ratelimit keeps a request budget (and a token budget) in Redis,
// so that every process naming the same key together keeps to one rate:
// three copies of a run at --rpm 1200 send 1200 requests a minute between
// them, not 3600.
//
// The algorithm is GCRA (the generic cell rate algorithm, as in
// go-redis/redis_rate and Brandur's throttled), run atomically on the
// server by one Lua script: the key holds the budget's theoretical arrival
// time (TAT), in microseconds of the server's own clock (so processes on
// machines whose clocks differ still agree). Taking a turn books it: the
// turn comes at max(now, TAT − tolerance), and the TAT moves on by the
// turn's cost (one request's interval, or n tokens' worth). The caller
// waits until its turn and sends; no one polls. A 429 seen by any process
// pushes the TAT to now + Retry-After, which pauses every process. A token
// booking corrected once the provider counts it moves the TAT back or on.
//
// Keys: "enrich:limit:{NAME}:requests" and "enrich:limit:{NAME}:tokens",
// each expiring shortly after its TAT passes, so an idle budget leaves
// nothing behind. NAME is the limit key (by default derived from the
// provider, base URL and model by the caller); the braces keep both keys in
// one Redis Cluster slot.
//
// Requests leave at 98% of the rate, the same headroom the pipeline's own
// pacer keeps, so that jitter on the way to the provider does not bring two
// of them closer than a strict provider allows.
//
// Open fails when the store cannot be reached. A store that goes away
// mid-run is reported once, through Options.Warn, and the process falls
// back to its own share of the budget (the rate divided by Options.Share,
// the number of processes), paced locally: never to unlimited. It tries
// the store again every RetryEvery and says when it is back.
//
// The package does not parse command lines nor decide the key's default;
// it implements pipeline.SharedLimit and pipeline.TokenLimit.
package ratelimit
