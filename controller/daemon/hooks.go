package daemon

// hooks is the daemon's sources as the webhook receiver sees them.
type hooks struct{ d *Daemon }

// Secret implements webhook.Sources.
func (h hooks) Secret(name string) ([]byte, bool) {
	src := h.d.sources.get(name)
	if src == nil {
		return nil, false
	}
	cfg := src.config()
	return []byte(cfg.WebhookSecret), cfg.WebhookSecret != "" && !cfg.Suspended
}

// Trigger implements webhook.Sources.
func (h hooks) Trigger(name string) {
	if src := h.d.sources.get(name); src != nil {
		src.poke()
	}
}
