package spierr

// Warning is what a plugin says about properties that are valid but worth
// a second look (a setting that gives a container the host), for people:
// validate and plan print it at the attribute's place in the spec. It
// never carries a property's value.
type Warning struct {
	// Attribute is the path of the property, as in Error.Attribute; empty
	// for a warning about the block as a whole.
	Attribute string `json:"attribute,omitempty"`
	Message   string `json:"message"`
}
