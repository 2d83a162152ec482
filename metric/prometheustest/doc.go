// Package prometheustest runs a real Prometheus for tests: Start runs the
// `prometheus` binary on a free localhost port, scraping the targets it is
// given every second, and stops it when the test ends; NewGauge serves a
// gauge that a test sets; AwaitValue waits until a query sees a value.
//
// Without the binary, Start fails the test, in CI or not: a skipped test
// would prove nothing. scripts/ensure-prometheus.sh (run by `make test`)
// installs it.
// Only tests may import this package.
package prometheustest
