package webhook

import (
	"errors"
	"fmt"
	"net/http"
)

// maxDeliveryID bounds a delivery id's length.
const maxDeliveryID = 128

// kind is what a delivery asks of its source.
type kind int

const (
	kindPush    kind = iota // a push: the source polls now
	kindPing                // the sender checking the hook: nothing to do
	kindIgnored             // an event that does not change the repository's head
)

// deliveryIDOf returns the delivery id h carries under s, or "".
func deliveryIDOf(s scheme, h http.Header) string {
	switch s {
	case schemeGitHub:
		return h.Get(headerGitHubDelivery)
	case schemeGitLab:
		// Idempotency-Key is the one GitLab keeps across retries of a
		// delivery; older versions send only the event's UUID.
		if id := h.Get(headerIdempotencyKey); id != "" {
			return id
		}
		return h.Get(headerGitLabEventUUID)
	case schemeGeneric:
		return h.Get(headerGenericDelivery)
	}
	return ""
}

// checkDeliveryID says what is wrong with id under s, or nil. The error
// never holds id.
func checkDeliveryID(s scheme, id string) error {
	if id == "" {
		if s == schemeGeneric {
			return fmt.Errorf("the %s header is required (a unique id per delivery)", headerGenericDelivery)
		}
		return nil
	}
	if len(id) > maxDeliveryID {
		return fmt.Errorf("the delivery id is longer than %d characters", maxDeliveryID)
	}
	for i := range len(id) {
		if c := id[i]; c < 0x20 || c > 0x7e {
			return errors.New("the delivery id holds a character that is not printable ASCII")
		}
	}
	return nil
}

// kindOf returns what the delivery's event asks for, or an error when
// the scheme's event header is missing.
func kindOf(s scheme, h http.Header) (kind, error) {
	switch s {
	case schemeGitHub:
		switch h.Get(headerGitHubEvent) {
		case "":
			return 0, fmt.Errorf("the %s header is missing", headerGitHubEvent)
		case "ping":
			return kindPing, nil
		case "push":
			return kindPush, nil
		}
		return kindIgnored, nil
	case schemeGitLab:
		switch h.Get(headerGitLabEvent) {
		case "":
			return 0, fmt.Errorf("the %s header is missing", headerGitLabEvent)
		case "Push Hook", "Tag Push Hook":
			return kindPush, nil
		}
		return kindIgnored, nil
	}
	return kindPush, nil
}
