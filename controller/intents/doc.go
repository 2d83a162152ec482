// Package intents stores create intents: a create is recorded before the
// provider is called and removed once a listing shows its instance, so a
// crash in between never leads to a second create.
package intents
