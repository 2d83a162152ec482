package specs_test

import (
	"regexp"
	"strings"
	"testing"
)

const hashBase = `
provider "docker" "local" {}
group "web" {
  size = 3
  instance "docker" {
    image      = "demo/app:1"
    env        = { A = "1", B = "2" }
    privileged = false
    resources {
      memory = "64MiB"
    }
  }
  flavor "swarm" {
    swarm         = swarm.dev
    role          = "worker"
    drain_timeout = "2m"
  }
}
group "managers" {
  size = 1
  instance "docker" { image = "node" }
  flavor "swarm" {
    swarm = swarm.dev
    role  = "manager"
  }
}
swarm "dev" {}
service "api" {
  swarm    = swarm.dev
  image    = "demo/api:1"
  replicas = 2
  env      = { MODE = "prod" }
}
`

var hexHash = regexp.MustCompile(`^[0-9a-f]{16}$`)

func hashes(t *testing.T, src string) (groupHash, svcHash string) {
	t.Helper()
	spec := mustLoad(t, src)
	g, s := group(spec, "web"), service(spec, "api")
	if !hexHash.MatchString(g.Hash) || !hexHash.MatchString(s.Hash) {
		t.Fatalf("hashes %q %q are not 16 hex digits", g.Hash, s.Hash)
	}
	return g.Hash, s.Hash
}

func TestHashStability(t *testing.T) {
	baseGroup, baseSvc := hashes(t, hashBase)
	cases := []struct {
		name        string
		edit        func(string) string
		groupChange bool
		svcChange   bool
	}{
		{name: "reordered attributes", edit: func(s string) string {
			return strings.Replace(s, "    image      = \"demo/app:1\"\n    env        = { A = \"1\", B = \"2\" }\n", "    env = { B = \"2\", A = \"1\" }\n    image = \"demo/app:1\"\n", 1)
		}},
		{name: "reordered blocks", edit: func(s string) string {
			i := strings.Index(s, "group \"managers\"")
			j := strings.Index(s, "swarm \"dev\"")
			return s[:strings.Index(s, "group \"web\"")] + s[i:j] + s[strings.Index(s, "group \"web\""):i] + s[j:]
		}},
		{name: "reformatted with comments", edit: func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, " = ", "=   "), "\n  size", "\n  # three of them\n\n  size")
		}},
		{name: "resized", edit: func(s string) string { return strings.Replace(s, "size = 3", "size = 7", 1) }},
		{name: "health, update and autoscale settings", edit: func(s string) string {
			return strings.Replace(s, "size = 3", "size = 3\n  health {\n    grace = \"9m\"\n  }\n  update {\n    max_surge = 2\n  }\n  autoscale {\n    min = 1\n    max = 9\n    metric \"cpu\" { target = 0.5 }\n  }", 1)
		}},
		{name: "duration written in other units", edit: func(s string) string { return strings.Replace(s, `drain_timeout = "2m"`, `drain_timeout = "120s"`, 1) }},
		{name: "size written in other units", edit: func(s string) string { return strings.Replace(s, `"64MiB"`, `"65536KiB"`, 1) }},
		{name: "defaults written out or left out", edit: func(s string) string {
			s = strings.Replace(s, "    privileged = false\n", "", 1)
			return strings.Replace(s, "    drain_timeout = \"2m\"\n", "", 1)
		}},
		{name: "provider named or resolved", edit: func(s string) string {
			return strings.Replace(s, "image      = \"demo/app:1\"", "image = \"demo/app:1\"\n    provider = provider.docker.local", 1)
		}},
		{name: "value from a variable", edit: func(s string) string {
			return "variable \"img\" { default = \"demo/app:1\" }\n" + strings.Replace(s, `"demo/app:1"`, "var.img", 1)
		}},
		{name: "service replicas", edit: func(s string) string { return strings.Replace(s, "replicas = 2", "replicas = 5", 1) }},
		{name: "image changed", groupChange: true, edit: func(s string) string { return strings.Replace(s, `"demo/app:1"`, `"demo/app:2"`, 1) }},
		{name: "env changed", groupChange: true, edit: func(s string) string { return strings.Replace(s, `B = "2"`, `B = "3"`, 1) }},
		{name: "role changed", groupChange: true, edit: func(s string) string {
			s = strings.Replace(s, `role          = "worker"`, `role = "manager"`, 1)
			return strings.Replace(s, "size = 1", "size = 2", 1) // keep the manager count odd
		}},
		{name: "memory changed", groupChange: true, edit: func(s string) string { return strings.Replace(s, `"64MiB"`, `"128MiB"`, 1) }},
		{name: "service image changed", svcChange: true, edit: func(s string) string { return strings.Replace(s, `"demo/api:1"`, `"demo/api:2"`, 1) }},
		{name: "service env changed", svcChange: true, edit: func(s string) string { return strings.Replace(s, `"prod"`, `"dev"`, 1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.edit(hashBase)
			if src == hashBase {
				t.Fatal("the edit changed nothing")
			}
			g, s := hashes(t, src)
			if (g != baseGroup) != tc.groupChange {
				t.Errorf("group hash %s -> %s, want changed=%v", baseGroup, g, tc.groupChange)
			}
			if (s != baseSvc) != tc.svcChange {
				t.Errorf("service hash %s -> %s, want changed=%v", baseSvc, s, tc.svcChange)
			}
		})
	}
}

// A hash is a function of the spec alone: loading twice gives the same.
func TestHashDeterministic(t *testing.T) {
	for i := 0; i < 20; i++ {
		g1, s1 := hashes(t, hashBase)
		g2, s2 := hashes(t, hashBase)
		if g1 != g2 || s1 != s2 {
			t.Fatalf("hashes differ between loads: %s/%s vs %s/%s", g1, s1, g2, s2)
		}
	}
}
