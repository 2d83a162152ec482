package gitsource

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"golang.org/x/net/proxy"
)

// go-git's ssh transport connects and shakes hands without a context, so a
// server that accepts the connection and then stalls would hold a call past
// its ctx. Each ssh call therefore dials through a "proxy" of a private
// scheme, registered once here, whose connection is closed when the call's
// ctx is done: the handshake (or anything after it) then fails and the call
// returns ctx's error.
const dialScheme = "gitsource-ctx"

// sshCall is one ssh call's dial: done is its ctx's Done, end closes when
// the call returns.
type sshCall struct {
	done <-chan struct{}
	end  chan struct{}
}

// sshCalls maps a call's id (the proxy URL's host) to its sshCall, for the
// registered dialer, which only gets the URL.
var sshCalls sync.Map

func init() {
	proxy.RegisterDialerType(dialScheme, func(u *url.URL, _ proxy.Dialer) (proxy.Dialer, error) {
		return ctxDialer{id: u.Host}, nil
	})
}

// sshProxy registers an ssh call of ctx and returns the ProxyOptions routing
// its dial through ctxDialer, and the function ending the call.
func sshProxy(ctx context.Context, rawURL string) (transport.ProxyOptions, func()) {
	if scheme(rawURL) != "ssh" {
		return transport.ProxyOptions{}, func() {}
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	id := hex.EncodeToString(b[:])
	call := &sshCall{done: ctx.Done(), end: make(chan struct{})}
	sshCalls.Store(id, call)
	return transport.ProxyOptions{URL: dialScheme + "://" + id}, func() {
		sshCalls.Delete(id)
		close(call.end)
	}
}

// ctxDialer dials directly, closing the connection when its call's ctx ends.
type ctxDialer struct{ id string }

func (d ctxDialer) Dial(network, addr string) (net.Conn, error) {
	return nil, errors.New("gitsource: ssh dial without a context")
}

func (d ctxDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	v, ok := sshCalls.Load(d.id)
	if !ok {
		return nil, errors.New("gitsource: ssh dial outside its call")
	}
	call := v.(*sshCall)
	dialCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	dialed := make(chan struct{})
	go onDone(call.done, dialed, cancel)
	var nd net.Dialer
	conn, err := nd.DialContext(dialCtx, network, addr)
	close(dialed)
	if err != nil {
		return nil, err
	}
	go onDone(call.done, call.end, func() { conn.Close() })
	return conn, nil
}

// onDone calls f when done closes, unless stop closes first.
func onDone(done <-chan struct{}, stop <-chan struct{}, f func()) {
	select {
	case <-done:
		f()
	case <-stop:
	}
}
