package digitalocean

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/digitalocean/dofake"
	"github.com/drover/drover/spierr"
)

func spec(name, group, req string) instance.Spec {
	return instance.Spec{
		Name:       name,
		Properties: goodProps(),
		Tags:       map[string]string{instance.TagOwner: "o", instance.TagGroup: group, instance.TagRequest: req},
		Init:       "#!/bin/sh\necho hi\n",
	}
}

// A 5xx on create (half of them after the droplet was made) never leaves
// two droplets for one request.
func TestProvisionServerErrorsNoDuplicates(t *testing.T) {
	e := newEnv(t, dofake.Options{})
	e.fake.Inject(dofake.Faults{ServerErrorRate: 0.4})
	ok := map[instance.ID]bool{}
	notDone := map[string]bool{} // request tags whose error promised nothing was made
	for i := range 30 {
		id, err := e.plugin.Provision(t.Context(), spec(fmt.Sprintf("w-%d", i), "w", fmt.Sprintf("r%d", i)))
		switch {
		case err == nil:
			if ok[id] {
				t.Fatalf("id %s returned twice", id)
			}
			ok[id] = true
		case !errors.Is(err, spierr.ErrUnavailable):
			t.Fatalf("Provision %d: %v, want nil or unavailable", i, err)
		case spierr.IsNotDone(err):
			notDone[fmt.Sprintf("drover__request:r%d", i)] = true
		}
	}
	perRequest := map[string]int{}
	for _, d := range e.fake.Droplets() {
		for _, tag := range d.Tags {
			if strings.HasPrefix(tag, "drover__request:") {
				perRequest[tag]++
			}
		}
	}
	for tag, n := range perRequest {
		if n > 1 {
			t.Errorf("%d droplets for %s", n, tag)
		}
		if notDone[tag] {
			t.Errorf("%s: Provision said nothing was made, but %d droplet(s) were", tag, n)
		}
	}
	if len(notDone) == 0 {
		t.Error("no error was marked not done: with 40% errors some must fail before the create")
	}
	if len(ok) < 20 {
		t.Errorf("only %d of 30 provisions succeeded", len(ok))
	}
	t.Logf("%d provisions succeeded, %d droplets, calls %v", len(ok), len(e.fake.Droplets()), e.fake.Calls())
}

// Only the API's list says a create happened: a droplet the list does not
// show yet is not described (the controller's intent holds its slot), but
// its name is guarded against a second create meanwhile.
func TestListLag(t *testing.T) {
	e := newEnv(t, dofake.Options{})
	e.fake.Inject(dofake.Faults{ListLag: time.Hour})
	id, err := e.plugin.Provision(t.Context(), spec("lag-1", "g", "r1"))
	if err != nil {
		t.Fatal(err)
	}
	sel := map[string]string{instance.TagOwner: "o", instance.TagGroup: "g"}
	ds, err := e.plugin.Describe(t.Context(), sel)
	if err != nil || len(ds) != 0 {
		t.Fatalf("Describe while the list lags = %+v, %v; want nothing yet", ds, err)
	}
	// The same name again is a conflict even though no list shows it.
	if _, err := e.plugin.Provision(t.Context(), spec("lag-1", "g", "r2")); !errors.Is(err, spierr.ErrConflict) {
		t.Fatalf("second Provision of lag-1 = %v, want conflict", err)
	}
	e.fake.Inject(dofake.Faults{})
	if err := e.plugin.Destroy(t.Context(), id, instance.DestroyScaleDown); err != nil {
		t.Fatal(err)
	}
	ds, _ = e.plugin.Describe(t.Context(), sel)
	if len(ds) != 0 {
		t.Fatalf("after Destroy: %+v", ds)
	}
}

func TestDestroyNotFound(t *testing.T) {
	e := newEnv(t, dofake.Options{})
	id, err := e.plugin.Provision(t.Context(), spec("gone-1", "g", "r1"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(string(id), &n)
	e.fake.DeleteBehindBack(n)
	for _, id := range []instance.ID{id, "4040404040404040", "not-a-number"} {
		if err := e.plugin.Destroy(t.Context(), id, instance.DestroyTerminate); !errors.Is(err, spierr.ErrNotFound) {
			t.Errorf("Destroy(%s) = %v, want not found", id, err)
		}
	}
}

func TestDescribeStatesAndAddresses(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, dofake.Options{BootTime: time.Minute, Now: clock})
	e.plugin.cacheWindow = 0
	id, err := e.plugin.Provision(t.Context(), spec("s-1", "g", "r1"))
	if err != nil {
		t.Fatal(err)
	}
	sel := map[string]string{instance.TagGroup: "g"}
	ds, _ := e.plugin.Describe(t.Context(), sel)
	if len(ds) != 1 || ds[0].State != instance.StatePending || len(ds[0].Addresses) != 0 {
		t.Fatalf("booting: %+v", ds)
	}
	mu.Lock()
	now = now.Add(time.Minute) // the boot time has passed
	mu.Unlock()
	ds, _ = e.plugin.Describe(t.Context(), sel)
	if len(ds) != 1 || ds[0].State != instance.StateRunning || len(ds[0].Addresses) != 2 || ds[0].CreatedAt.IsZero() {
		t.Fatalf("booted: %+v", ds)
	}
	var n int
	fmt.Sscan(string(id), &n)
	e.fake.PowerOffBehindBack(n)
	ds, _ = e.plugin.Describe(t.Context(), sel)
	if len(ds) != 1 || ds[0].State != instance.StateStopped {
		t.Fatalf("off: %+v", ds)
	}
	// The user's own tag is on the droplet but not described.
	if d := e.fake.Droplets()[0]; !strings.Contains(strings.Join(d.Tags, " "), "swarm") {
		t.Errorf("droplet tags %v lack the user's tag", d.Tags)
	}
}

// Several groups' Describe calls within the cache window share one list;
// 450 droplets take 3 pages.
func TestDescribeCallsShared(t *testing.T) {
	e := newEnv(t, dofake.Options{RatePerMinute: -1})
	var wg sync.WaitGroup
	for g := range 3 {
		for i := range 150 {
			wg.Go(func() {
				if _, err := e.plugin.Provision(t.Context(), spec(fmt.Sprintf("g%d-%d", g, i), fmt.Sprintf("g%d", g), fmt.Sprintf("r%d-%d", g, i))); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	e.plugin.cacheWindow = time.Minute // the whole test is one resync
	e.fake.ResetCalls()
	for g := range 3 {
		wg.Go(func() {
			ds, err := e.plugin.Describe(t.Context(), map[string]string{instance.TagOwner: "o", instance.TagGroup: fmt.Sprintf("g%d", g)})
			if err != nil || len(ds) != 150 {
				t.Errorf("group g%d: %d described, %v", g, len(ds), err)
			}
		})
	}
	wg.Wait()
	calls := e.fake.Calls()
	if calls["GET /v2/droplets"] != 3 || len(calls) != 1 {
		t.Errorf("calls for 3 groups' Describe = %v, want 3 list pages in all", calls)
	}
	t.Logf("3 groups × 150 droplets: %v", calls)
}

// Past the budget the plugin slows down, waits for the reset and carries
// on: every call succeeds.
func TestRateBudget(t *testing.T) {
	e := newEnv(t, dofake.Options{RatePerMinute: 8, RateWindow: 2 * time.Second})
	e.plugin.cacheWindow = 0
	start := time.Now()
	for i := range 16 {
		if _, err := e.plugin.Describe(t.Context(), map[string]string{instance.TagOwner: "o"}); err != nil {
			t.Fatalf("Describe %d: %v", i, err)
		}
	}
	elapsed := time.Since(start)
	if elapsed < 2*time.Second {
		t.Errorf("16 calls on a budget of 8 per 2 s took %v: no slowing down", elapsed)
	}
	if got := e.fake.Calls()["GET /v2/droplets"]; got != 16 {
		t.Errorf("%d list calls reached the API, want 16: the throttle should avoid every 429", got)
	}
	t.Logf("16 Describes on 8 per 2 s: %v, throttle waited %v", elapsed, e.plugin.rate.waited)
}

// The token appears in no error.
func TestTokenNotInErrors(t *testing.T) {
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Wrong token: 401.
	e := newEnv(t, dofake.Options{})
	cfg, _ := json.Marshal(Config{Token: testToken + "x", Region: "fra1", APIURL: e.srv.URL})
	wrong, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.Describe(t.Context(), map[string]string{instance.TagOwner: "o"})
	if !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("401: %v, want invalid", err)
	}
	collect(err)
	// 422, 404, 5xx.
	_, err = e.plugin.Provision(t.Context(), instance.Spec{Name: "x", Properties: json.RawMessage(`{"size":"s-1vcpu-1gb","image":"nope"}`)})
	collect(err)
	collect(e.plugin.Destroy(t.Context(), "123", instance.DestroyTerminate))
	e.fake.Inject(dofake.Faults{ServerErrorRate: 1})
	_, err = e.plugin.Describe(t.Context(), map[string]string{instance.TagOwner: "o"})
	if !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("5xx: %v, want unavailable", err)
	}
	collect(err)
	_, err = e.plugin.Provision(t.Context(), spec("y", "g", "r"))
	collect(err)
	// Unreachable.
	e.srv.Close()
	_, err = e.plugin.Describe(t.Context(), map[string]string{instance.TagOwner: "z"})
	if !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("unreachable: %v, want unavailable", err)
	}
	collect(err)
	// Bad configs.
	for _, c := range []string{`{"token":"` + testToken + `","region":"fra1","api_url":"ftp://` + testToken + `"}`, `{"token":"` + testToken + `"}`} {
		_, err := New(t.Context(), json.RawMessage(c))
		collect(err)
	}
	if len(errs) < 7 {
		t.Fatalf("only %d errors collected", len(errs))
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), testToken) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), testToken) {
			t.Errorf("error leaks the token: %v", err)
		}
	}
}

func TestCPU(t *testing.T) {
	e := newEnv(t, dofake.Options{Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }})
	id, err := e.plugin.Provision(t.Context(), spec("cpu-1", "g", "r1"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(string(id), &n)
	e.fake.SetCPU(n, 0.6)
	got, err := e.plugin.CPU(t.Context(), []instance.ID{id, "4040404040"})
	if err != nil || len(got) != 1 || got[id] < 0.59 || got[id] > 0.61 {
		t.Fatalf("CPU = %v, %v; want %s: 0.6", got, err, id)
	}
}
