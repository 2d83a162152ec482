package archtest

// Patterns name packages by their path inside the module: "group" is that
// package, "group/..." it and every package below it, "..." every
// package, and ".../*test" every package whose last element matches
// "*test" (path.Match syntax).

// implementations are the providers and flavors: the SPIs' code that
// talks to engines and clouds. A new provider or flavor joins this list.
var implementations = []string{
	"instance/docker/...", "instance/digitalocean/...", "instance/fake",
	"flavor/swarm/...", "flavor/vanilla/...",
}

// testSupport are the packages made for tests only.
var testSupport = []string{".../*test", "internal/await", "internal/syncbuf"}

// rules are drover's rules of dependency, one a line; docs/architecture.md
// explains them. A rule governs the packages that pkgs matches and except
// does not; none of them may import a package that forbidden matches and
// allowed does not. Only the imports of a package's own (non-test) files
// count, unless tests is set.
var rules = []rule{
	{name: "cmd is imported by nobody", pkgs: all, except: []string{"cmd/..."}, forbidden: []string{"cmd/..."}, tests: true,
		reason: "cmd/ is the outermost layer: it wires everything together and nothing may depend on it"},
	{name: "the vocabulary is a leaf", pkgs: []string{"resource", "spierr", "schema"}, forbidden: all,
		reason: "every package may use the vocabulary, so it imports nothing of drover (no cycle, no change elsewhere reaches it)"},
	{name: "reconcile knows no kind", pkgs: []string{"reconcile/..."}, forbidden: all, allowed: []string{"resource", "reconcile/..."},
		reason: "the reconcile framework runs any kind of resource: it knows keys, not groups, services or plugins"},
	{name: "specs knows no provider", pkgs: []string{"specs/..."}, forbidden: []string{"instance/...", "flavor/...", "plugins/...", "group/...", "service/...", "controller/...", "cmd/..."},
		reason: "the spec language checks plugin blocks against schemas it is given (package schema), never against a provider's code"},
	{name: "the SPIs know no implementation", pkgs: []string{"instance", "flavor"}, forbidden: cat(implementations, "plugins/...", "group/...", "service/...", "specs/...", "controller/...", "cmd/..."),
		reason: "the SPIs are the contract providers implement and the controller calls: they depend on neither side"},
	{name: "providers know no controller", pkgs: implementations, forbidden: []string{"plugins/...", "group/...", "service/...", "specs/...", "controller/...", "cmd/..."},
		reason: "a provider or flavor implements an SPI and is built from its block's properties (JSON) alone, so it runs in-process or in a plugin binary alike"},
	{name: "kinds know no runner nor provider", pkgs: []string{"group/...", "service/..."}, forbidden: cat(implementations, "plugins/...", "controller/...", "cmd/..."),
		reason: "a kind's reconciler gets its plugins as SPI interfaces and its targets from whoever runs it (the runner), and reports through resource.Sink"},
	{name: "group knows no other kind", pkgs: []string{"group/..."}, forbidden: []string{"service/..."},
		reason: "kinds are independent; the runner composes them"},
	{name: "service knows no other kind", pkgs: []string{"service/..."}, forbidden: []string{"group/..."},
		reason: "kinds are independent; the runner composes them"},
	{name: "the transport knows no provider", pkgs: []string{"plugins/grpc/..."}, forbidden: cat(implementations, "group/...", "service/...", "specs/...", "controller/...", "cmd/..."),
		reason: "the gRPC transport carries the SPIs whatever implements them, and is linked into plugin binaries"},
	{name: "the API is the wire", pkgs: []string{"controller/api/..."}, forbidden: []string{"controller/daemon/...", "controller/runner/...", "cmd/..."},
		reason: "the API's server and client share wire types; the daemon implements its Backend, so the CLI's client never links the daemon"},
	{name: "the plumbing knows no kind", pkgs: []string{"controller/events/...", "controller/store/...", "controller/metrics/..."}, forbidden: []string{"group/...", "service/..."},
		reason: "kinds register their reconcilers in the runner; the hub, the store and the metrics carry resource keys, events, statuses and specs whatever the kind"},
	{name: "the autoscaling decision is pure", pkgs: []string{"autoscale/..."}, forbidden: all, allowed: []string{"resource", "specs", "autoscale/..."},
		reason: "an autoscaler decides from its readings and what it remembers, nothing else: it is table-tested like the planners, and the runner reads the metrics and acts"},
	{name: "metrics know no controller nor provider", pkgs: []string{"metric/..."}, forbidden: cat(implementations, "plugins/...", "group/...", "service/...", "specs/...", "controller/...", "cmd/..."),
		reason: "a metric plugin reads what the runner gives it (metric.Scope) through the SPIs and engine clients; it neither decides nor acts, nor knows a provider's code"},
	{name: "git and webhooks are transport", pkgs: []string{"controller/gitsource/...", "controller/webhook/..."}, forbidden: all, allowed: []string{"controller/gitsource/...", "controller/webhook/...", "internal/httpjson"},
		reason: "the git layer fetches trees and the webhook receiver checks signatures for whoever follows sources (the daemon); they neither load specs nor apply, so they are tested alone against real repositories and requests"},
	{name: "test support only in tests", pkgs: all, except: testSupport, forbidden: testSupport,
		reason: "test-support packages (testing, fakes of engines) must not be linked into drover; only _test files and other test support import them"},
}

var all = []string{"..."}

// cat returns a new slice of list followed by more.
func cat(list []string, more ...string) []string {
	return append(append([]string(nil), list...), more...)
}
