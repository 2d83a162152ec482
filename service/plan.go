package service

import (
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/specs"
)

// decision is what to do about a service, decided from its desired and
// observed state alone (no I/O): the same for a pass and for a plan.
type decision struct {
	action  string   // ActionCreate, ActionUpdate, ActionNone
	event   string   // the event of the action: created, updated, drift_corrected
	reason  string   // why, in a line
	changes []string // the fields that differ
	// foreign: the service exists but is not this owner's.
	foreign bool
	// drift: changed by hand, and reported, not corrected.
	drift bool
	// failed is the event kind of a rollout of the desired spec that
	// swarm paused or rolled back (update_paused, update_rolled_back):
	// the pass asks the rollout's tasks why (planFailure) before it pushes
	// the spec again or holds it.
	failed string
	// rolling: swarm is rolling an update out (or back).
	rolling bool
}

// The drift policies: the schema's "correct" and "report"; "warn" is taken
// as "report".
const (
	DriftCorrect = "correct"
	DriftReport  = "report"
)

// decide compares the desired state with the observed service (nil when
// missing). names maps network ids to names. pushed is the swarmHash of
// the last spec this reconciler sent, if it remembers one.
func decide(svc *specs.Service, want desired, have *swarm.Service, names map[string]string, owner, pushed string) decision {
	if have == nil {
		return decision{action: ActionCreate, event: EventCreated, reason: "missing"}
	}
	labels := have.Spec.Labels
	if labels[LabelOwner] != owner {
		why := fmt.Sprintf("service %s exists without the label %s=%s", have.Spec.Name, LabelOwner, owner)
		if o := labels[LabelOwner]; o != "" {
			why = fmt.Sprintf("service %s belongs to drover owner %q, not %q", have.Spec.Name, o, owner)
		}
		return decision{action: ActionNone, foreign: true, reason: why + ": drover leaves it alone"}
	}
	hv := alignDigest(project(have.Spec, names), want.view)
	changes := diff(hv, want.view)
	state := updateState(have)
	rolling := state == swarm.UpdateStateUpdating || state == swarm.UpdateStateRollbackStarted
	if kind := failedRollout(have); kind != "" && failedDesired(have, want, names, pushed) {
		return decision{action: ActionNone, failed: kind, rolling: rolling, changes: changes,
			reason: fmt.Sprintf("swarm %s the rollout of this spec (%s)", failedVerb(state), message(have))}
	}
	byHand := labels[LabelConfig] == want.swarmHash
	if !byHand && manualRollback(have) && have.PreviousSpec != nil && have.PreviousSpec.Labels[LabelConfig] == want.swarmHash {
		byHand = true // docker service rollback, by hand, of the desired spec: drift
	}
	if !byHand {
		reason := "spec changed"
		if len(changes) == 0 {
			reason = "the " + LabelConfig + " label is out of date"
		}
		return decision{action: ActionUpdate, event: EventUpdated, reason: reason, changes: changes, rolling: rolling}
	}
	if len(changes) == 0 {
		return decision{action: ActionNone, rolling: rolling}
	}
	if rolling {
		return decision{action: ActionNone, rolling: true, changes: changes, reason: "changed by hand during a rollout: waiting for it to end"}
	}
	why := "changed by hand (as it is -> the spec: " + strings.Join(changes, "; ") + ")"
	if svc.Drift == DriftCorrect || svc.Drift == "" {
		return decision{action: ActionUpdate, event: EventDriftCorrected, reason: why, changes: changes}
	}
	return decision{action: ActionNone, drift: true, changes: changes, reason: why + "; drift = " + svc.Drift + ": left as it is"}
}

func updateState(s *swarm.Service) swarm.UpdateState {
	if s.UpdateStatus == nil {
		return ""
	}
	return s.UpdateStatus.State
}

func message(s *swarm.Service) string {
	if s.UpdateStatus == nil || s.UpdateStatus.Message == "" {
		return "no message"
	}
	return s.UpdateStatus.Message
}

// failedRollout returns the event kind of a rollout swarm gave up on:
// update_paused when it paused one (or a rollback), update_rolled_back
// when it rolled one back; "" otherwise.
func failedRollout(s *swarm.Service) string {
	switch updateState(s) {
	case swarm.UpdateStatePaused:
		return EventUpdatePaused
	case swarm.UpdateStateRollbackStarted, swarm.UpdateStateRollbackPaused, swarm.UpdateStateRollbackCompleted:
		// A rollback the user asked for (docker service rollback) is not a
		// failure of drover's spec; one swarm started on failure says so.
		if manualRollback(s) {
			return ""
		}
		return EventUpdateRolledBack
	}
	return ""
}

// manualRollback reports whether the last rollback was asked for (docker
// service rollback) rather than started by swarm on a failure.
func manualRollback(s *swarm.Service) bool {
	return s.UpdateStatus != nil && strings.Contains(s.UpdateStatus.Message, "manually requested rollback")
}

func failedVerb(state swarm.UpdateState) string {
	switch state {
	case swarm.UpdateStatePaused:
		return "paused"
	case swarm.UpdateStateRollbackPaused:
		return "paused the rollback of"
	case swarm.UpdateStateRollbackStarted:
		return "is rolling back"
	}
	return "rolled back"
}

// failedDesired reports whether the rollout swarm gave up on was of the
// desired spec (not of a change by hand), which must then not be pushed
// again. When swarm paused it, the current spec is the one that failed.
// When it rolled back, the failed spec is gone (a rollback restores the
// previous spec and clears PreviousSpec): it was the desired one if it is
// what drover pushed last and swarm now runs something else. After a
// restart drover remembers no push, and pushes the spec once more.
func failedDesired(s *swarm.Service, want desired, names map[string]string, pushed string) bool {
	switch {
	case updateState(s) == swarm.UpdateStatePaused:
		return isDesired(&s.Spec, want, names)
	case s.PreviousSpec != nil && s.PreviousSpec.Labels[LabelConfig] == want.swarmHash:
		// A rollback still under way, or one swarm kept the spec of.
		return isDesired(s.PreviousSpec, want, names)
	}
	return pushed == want.swarmHash && !isDesired(&s.Spec, want, names)
}

// isDesired reports whether spec is the desired spec.
func isDesired(spec *swarm.ServiceSpec, want desired, names map[string]string) bool {
	return len(diff(alignDigest(project(*spec, names), want.view), want.view)) == 0
}
