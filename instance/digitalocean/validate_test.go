package digitalocean

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/spierr"
)

// TestValidateNamesAttribute: each refused property is a spierr.ErrInvalid
// error naming its attribute, and never echoing its value.
func TestValidateNamesAttribute(t *testing.T) {
	p, err := NewValidator(t.Context(), json.RawMessage(`{"region": "fra1"}`))
	if err != nil {
		t.Fatalf("NewValidator without a token: %v", err)
	}
	big := strings.Repeat("x", MaxUserData+1)
	tests := []struct{ name, props, attr, secret string }{
		{"no size", `{"image": "ubuntu-22-04-x64"}`, "size", ""},
		{"bad size", `{"size": "S_BIG_SECRET", "image": "x"}`, "size", "S_BIG_SECRET"},
		{"no image", `{"size": "s-1vcpu-1gb"}`, "image", ""},
		{"bad image", `{"size": "s-1vcpu-1gb", "image": "IMG_SECRET!"}`, "image", "IMG_SECRET"},
		{"bad region", `{"size": "s-1vcpu-1gb", "image": "x", "region": "REGION_SECRET"}`, "region", "REGION_SECRET"},
		{"bad vpc", `{"size": "s-1vcpu-1gb", "image": "x", "vpc_uuid": "VPC_SECRET"}`, "vpc_uuid", "VPC_SECRET"},
		{"user data over 64 KiB", `{"size": "s-1vcpu-1gb", "image": "x", "user_data": "` + big + `"}`, "user_data", big[:100]},
		{"empty ssh key", `{"size": "s-1vcpu-1gb", "image": "x", "ssh_keys": ["a", ""]}`, "ssh_keys[1]", ""},
		{"bad tag", `{"size": "s-1vcpu-1gb", "image": "x", "tags": ["ok", "TAG:SECRET"]}`, "tags[1]", "TAG:SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Validate(t.Context(), json.RawMessage(tt.props))
			if !errors.Is(err, spierr.ErrInvalid) {
				t.Fatalf("Validate = %v, want a spierr.ErrInvalid error", err)
			}
			if got := spierr.AttributeOf(err); got != tt.attr {
				t.Errorf("attribute = %q, want %q (%v)", got, tt.attr, err)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q echoes the property's value", err)
			}
		})
	}
	if err := p.Validate(t.Context(), json.RawMessage(`{"size": "s-1vcpu-1gb", "image": "x", "user_data": "`+big[:MaxUserData]+`"}`)); err != nil {
		t.Errorf("user_data of exactly 64 KiB: %v", err)
	}
	if _, err := New(t.Context(), json.RawMessage(`{"region": "fra1"}`)); spierr.CodeOf(err) != spierr.CodeInvalid {
		t.Errorf("New without a token = %v, want a spierr.ErrInvalid error", err)
	}
	if _, err := NewValidator(t.Context(), json.RawMessage(`{"token": "t"}`)); spierr.AttributeOf(err) != "region" {
		t.Errorf("NewValidator without a region = %v, want an error about region", err)
	}
	for attr, cfg := range map[string]string{
		"region":  `{"token": "t", "region": "REGION_SECRET"}`,
		"api_url": `{"token": "t", "region": "fra1", "api_url": "ftp://user:API_SECRET@x/"}`,
	} {
		_, err := NewValidator(t.Context(), json.RawMessage(cfg))
		if spierr.AttributeOf(err) != attr || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("config %s: %v, want an error about %s that does not echo it", attr, err, attr)
		}
	}
}
