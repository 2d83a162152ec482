// Package proto holds drover's plugin protocol: droverplugin/v1/plugin.proto
// and the Go code generated from it, which is committed.
//
// Regenerate with `make proto` or `go generate ./plugins/grpc/proto`. It needs
// protoc (Debian: apt-get install -y protobuf-compiler; the committed code was
// made with libprotoc 3.21.12) and the generators pinned as tools in go.mod
// (protoc-gen-go, protoc-gen-go-grpc), which `go tool -n` locates.
package proto

//go:generate sh -c "protoc -I . --plugin=protoc-gen-go=\"$(go tool -n protoc-gen-go)\" --plugin=protoc-gen-go-grpc=\"$(go tool -n protoc-gen-go-grpc)\" --go_out=paths=source_relative:. --go-grpc_out=paths=source_relative:. droverplugin/v1/plugin.proto"
