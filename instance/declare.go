package instance

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/drover/drover/spierr"
)

// A Declaration is an optional capability of a Plugin that is a call
// (Labeller, Watcher, ...), declared once, in capabilities.go, with
// declare: its name, how to call it on a plugin, and how to make one from
// a function. With it, wrappers (instrumentation, a supervisor, a
// transport) carry every declared capability without a method of their
// own per capability: Capability returns, for a wrapped plugin, a
// capability whose calls go through the wrappers' Around hooks, and a
// transport carries the unary ones as JSON (see Invoker and Invoke).
// Capabilities that are values, not calls (Lagging, Checker), are not
// declared: Capability reads them through Unwrap.
type Declaration interface {
	// Name is the capability's name: the label its calls are counted
	// under and the name that declares it to a transport ("label").
	Name() string
	// Stream says that a call returns a channel that outlives it (Watch):
	// a wrapper must not bound it with a deadline, and the generic unary
	// call of a transport cannot carry it.
	Stream() bool

	has(p Plugin) bool
	invoke(ctx context.Context, p Plugin, args json.RawMessage) (json.RawMessage, error)
}

// A Hook is a wrapper whose calls of declared capabilities go through
// Around: do makes the call on inner, the plugin it wraps (for a
// supervisor, the one running now). Around returns do's error, and may
// time it (instrumentation) or route it (a supervisor). call is the
// Declaration's Name.
type Hook interface {
	Around(ctx context.Context, call string, do func(ctx context.Context, inner Plugin) error) error
}

// A Declarer is a plugin whose declared capabilities are named, not its
// methods: a transport or a supervisor, which has exactly the capabilities
// the plugin behind it declared. Capability finds no declared capability
// in it that Declares does not name.
type Declarer interface {
	Declares(name string) bool
}

// An Invoker is a transport's client: it calls the unary capability name
// of the plugin behind it with args and returns its result, both JSON (see
// Invoke, the other end). Capability makes a declared unary capability of
// an Invoker that Declares it from Invoke.
type Invoker interface {
	Invoke(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error)
}

// Declarations are the declared capabilities, by name.
func Declarations() []Declaration {
	out := make([]Declaration, 0, len(byName))
	for _, d := range byName {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Declaration) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// Declared returns the declaration named name.
func Declared(name string) (Declaration, bool) {
	d, ok := byName[name]
	return d, ok
}

// Has says whether p has the declared capability d, looking through
// wrappers as Capability does.
func Has(p Plugin, d Declaration) bool { return d.has(p) }

// Capabilities are the names of the declared capabilities p has, sorted.
func Capabilities(p Plugin) []string {
	var names []string
	for _, d := range Declarations() {
		if d.has(p) {
			names = append(names, d.Name())
		}
	}
	return names
}

// Invoke calls the declared unary capability name of p with args, its
// arguments as JSON, and returns its result as JSON: the plugin side of a
// transport's Invoker. A capability p lacks, or that is not unary, is a
// spierr.ErrUnsupported error, arguments that do not decode a
// spierr.ErrInvalid one; both are marked NotDone.
func Invoke(ctx context.Context, p Plugin, name string, args json.RawMessage) (json.RawMessage, error) {
	d, ok := Declared(name)
	if !ok || d.Stream() {
		return nil, spierr.MarkNotDone(spierr.Unsupported("plugin.Invoke", "no such unary capability"))
	}
	return d.invoke(ctx, p, args)
}

// Capability finds the optional capability T (Labeller, Lagging, ...) of
// p, looking through wrappers: those that expose the plugin they wrap with
// an Unwrap() Plugin method, Hooks, Declarers and Invokers (see
// Declaration). It is the one way to discover a capability: a wrapper has
// a declared capability of the plugin it wraps without having its method.
func Capability[T any](p Plugin) (T, bool) {
	var zero T
	d, declared := byType[reflect.TypeFor[T]()].(*declaration[T])
	for p != nil {
		if declared {
			if x, ok := p.(Declarer); ok && !x.Declares(d.name) {
				return zero, false
			}
			if c, ok := d.wrapped(p); ok {
				return c, true
			}
		}
		if c, ok := p.(T); ok {
			return c, true
		}
		u, ok := p.(interface{ Unwrap() Plugin })
		if !ok {
			break
		}
		p = u.Unwrap()
	}
	return zero, false
}

// byType and byName index the declarations.
var (
	byType = map[reflect.Type]Declaration{}
	byName = map[string]Declaration{}
)

// declaration is a Declaration of T, an interface of one method that
// takes a context and one argument A and returns R and an error.
type declaration[T any] struct {
	name   string
	stream bool
	// throughFn makes a T whose calls go through h; overFn, one whose
	// calls are i.Invoke; invokeFn calls T on p with JSON arguments.
	throughFn func(h Hook) T
	overFn    func(i Invoker) T
	invokeFn  func(ctx context.Context, p Plugin, args json.RawMessage) (json.RawMessage, error)
}

// declare declares the capability T named name: call calls it on a
// plugin that has it (a method expression, or a function that spreads A
// over the method's arguments), make makes a T from a function (a
// func-adapter type with the one method). It panics on a second
// declaration of T or of name.
func declare[T, A, R any](name string, call func(T, context.Context, A) (R, error), make func(func(context.Context, A) (R, error)) T) Declaration {
	return register(name, false, call, make)
}

// declareStream is declare for a capability whose result outlives the
// call (see Declaration.Stream).
func declareStream[T, A, R any](name string, call func(T, context.Context, A) (R, error), make func(func(context.Context, A) (R, error)) T) Declaration {
	return register(name, true, call, make)
}

func register[T, A, R any](name string, stream bool, call func(T, context.Context, A) (R, error), make func(func(context.Context, A) (R, error)) T) Declaration {
	t := reflect.TypeFor[T]()
	if byType[t] != nil || byName[name] != nil {
		panic("instance: capability declared twice: " + name)
	}
	d := &declaration[T]{
		name: name, stream: stream,
		throughFn: func(h Hook) T { return make(hooked(name, call, h)) },
		overFn:    func(i Invoker) T { return make(invoked[A, R](name, i)) },
		invokeFn: func(ctx context.Context, p Plugin, args json.RawMessage) (json.RawMessage, error) {
			return served(ctx, name, call, p, args)
		},
	}
	byType[t], byName[name] = d, d
	return d
}

// hooked is the call of T through h's Around, on the T of the plugin
// Around gives.
func hooked[T, A, R any](name string, call func(T, context.Context, A) (R, error), h Hook) func(context.Context, A) (R, error) {
	return func(ctx context.Context, a A) (R, error) {
		var r R
		err := h.Around(ctx, name, func(ctx context.Context, inner Plugin) error {
			c, ok := Capability[T](inner)
			if !ok {
				return spierr.MarkNotDone(spierr.Unsupported("plugin."+name, "the wrapped plugin has no %s capability", name))
			}
			var err error
			r, err = call(c, ctx, a)
			return err
		})
		return r, err
	}
}

// invoked is the call of the capability name through i, as JSON.
func invoked[A, R any](name string, i Invoker) func(context.Context, A) (R, error) {
	return func(ctx context.Context, a A) (R, error) {
		var r R
		args, err := json.Marshal(a)
		if err != nil {
			return r, spierr.MarkNotDone(spierr.Invalid("plugin."+name, "encode the arguments: %v", err))
		}
		res, err := i.Invoke(ctx, name, args)
		if err != nil {
			return r, err
		}
		if err := json.Unmarshal(res, &r); err != nil {
			return r, spierr.Internal("plugin."+name, "decode the plugin's result: %v", err)
		}
		return r, nil
	}
}

// served calls T of p with JSON arguments and returns its JSON result: the
// other end of invoked.
func served[T, A, R any](ctx context.Context, name string, call func(T, context.Context, A) (R, error), p Plugin, args json.RawMessage) (json.RawMessage, error) {
	op := "plugin." + name
	c, ok := Capability[T](p)
	if !ok {
		return nil, spierr.MarkNotDone(spierr.Unsupported(op, "the plugin has no %s capability", name))
	}
	var a A
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, spierr.MarkNotDone(spierr.Invalid(op, "decode the arguments: %v", err))
	}
	r, err := call(c, ctx, a)
	if err != nil {
		return nil, err
	}
	res, err := json.Marshal(r)
	if err != nil {
		return nil, spierr.Internal(op, "encode the result: %v", err)
	}
	return res, nil
}

func (d *declaration[T]) Name() string { return d.name }
func (d *declaration[T]) Stream() bool { return d.stream }

func (d *declaration[T]) has(p Plugin) bool {
	_, ok := Capability[T](p)
	return ok
}

func (d *declaration[T]) invoke(ctx context.Context, p Plugin, args json.RawMessage) (json.RawMessage, error) {
	return d.invokeFn(ctx, p, args)
}

// wrapped returns T of p when p carries it without being a T: a Hook
// (whose calls go through Around) that has T inside, or an Invoker that
// declares it. A Declarer's name was checked by the caller.
func (d *declaration[T]) wrapped(p Plugin) (T, bool) {
	var zero T
	if h, ok := p.(Hook); ok {
		if _, named := p.(Declarer); !named && !d.has(unwrap(p)) {
			return zero, false
		}
		return d.throughFn(h), true
	}
	if i, ok := p.(Invoker); ok && !d.stream {
		if _, named := p.(Declarer); named {
			return d.overFn(i), true
		}
	}
	return zero, false
}

// unwrap is the plugin p wraps, or nil.
func unwrap(p Plugin) Plugin {
	if u, ok := p.(interface{ Unwrap() Plugin }); ok {
		return u.Unwrap()
	}
	return nil
}
