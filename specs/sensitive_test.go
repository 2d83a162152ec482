package specs_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const secret = "dop_v1_0123456789abcdef"

// Sensitive values never appear in any rendering of the spec, whether they
// are sensitive by schema (a token), by variable or by the sensitive()
// function; they remain available to the code that needs them.
func TestSensitiveValuesRedacted(t *testing.T) {
	src := `
variable "db_password" {
  sensitive = true
  default   = "` + secret + `-pw"
}
provider "digitalocean" "fra1" {
  token  = env("DIGITALOCEAN_TOKEN")
  region = "fra1"
}
swarm "prod" {}
group "managers" {
  size = 1
  instance "digitalocean" {
    size      = "s-1vcpu-1gb"
    image     = "docker-20-04"
    user_data = sensitive("echo ` + secret + `-ud")
  }
  flavor "swarm" {
    swarm = swarm.prod
    role  = "manager"
  }
}
service "db" {
  swarm = swarm.prod
  image = "postgres"
  env = {
    POSTGRES_USER     = "app"
    POSTGRES_PASSWORD = var.db_password
  }
}`
	spec := mustLoad(t, src, withEnv(env{"DIGITALOCEAN_TOKEN": secret}))
	p := spec.Providers[0]
	g := group(spec, "managers")
	db := service(spec, "db")

	renderings := map[string]any{
		"provider":            p,
		"provider config":     p.Config,
		"group":               g,
		"instance properties": g.Instance.Properties,
		"service":             db,
		"whole spec":          spec.Providers,
	}
	for name, v := range renderings {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s JSON leaks the secret: %s", name, b)
		}
		if !strings.Contains(string(b), "(sensitive)") {
			t.Errorf("%s JSON shows no redaction: %s", name, b)
		}
		for _, verb := range []string{"%v", "%+v", "%s", "%#v"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, secret) {
				t.Errorf("%s printed with %s leaks the secret: %s", name, verb, s)
			}
		}
	}
	for _, v := range spec.Variables {
		if v.Name != "db_password" {
			continue
		}
		for _, verb := range []string{"%v", "%+v", "%s", "%#v"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, secret) || !strings.Contains(s, "(sensitive)") {
				t.Errorf("variable printed with %s: %s", verb, s)
			}
		}
	}
	// What the plugins and the service reconciler need is still there.
	if !strings.Contains(string(p.Config.Reveal()), secret) || !strings.Contains(string(g.Instance.Properties.Reveal()), secret+"-ud") {
		t.Error("Reveal lost the secrets")
	}
	if db.Env["POSTGRES_PASSWORD"] != secret+"-pw" || !strings.Contains(string(mustJSON(t, db)), `"POSTGRES_USER":"app"`) {
		t.Errorf("service env: %v %s", db.Env, mustJSON(t, db))
	}
}

// Diagnostics about a sensitive value do not print it.
func TestSensitiveValueNotInDiagnostics(t *testing.T) {
	src := `
variable "n" {
  sensitive = true
  default   = "` + secret + `"
}
` + base + `
group "w" {
  size = var.n
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}`
	_, diags := load(t, src)
	if !diags.HasErrors() {
		t.Fatal("a non-number size loaded")
	}
	if out := render(diags); strings.Contains(out, secret) {
		t.Errorf("diagnostics leak the secret:\n%s", out)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
