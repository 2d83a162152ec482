package daemon

import (
	"context"
	"errors"

	"github.com/drover/drover/controller/api"
)

var errTODO = errors.New("sources: being built")

func (d *Daemon) AddSource(ctx context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
	return api.SourceInfo{}, errTODO
}
func (d *Daemon) Sources(ctx context.Context) ([]api.SourceInfo, error) { return nil, errTODO }
func (d *Daemon) Source(ctx context.Context, name string) (api.SourceInfo, error) {
	return api.SourceInfo{}, errTODO
}
func (d *Daemon) SuspendSource(ctx context.Context, name string, suspend bool) (api.SourceInfo, error) {
	return api.SourceInfo{}, errTODO
}
func (d *Daemon) SyncSource(ctx context.Context, name string, req api.SyncRequest) (api.SourceInfo, error) {
	return api.SourceInfo{}, errTODO
}
func (d *Daemon) RemoveSource(ctx context.Context, name string, req api.RemoveSourceRequest) error {
	return errTODO
}
