package webhook

// seenIDs remembers the last n delivery ids of a source, forgetting the
// oldest first.
type seenIDs struct {
	set   map[string]struct{}
	ring  []string
	next  int // where the next id goes in ring, once ring is full
	limit int
}

func newSeenIDs(limit int) seenIDs {
	return seenIDs{set: map[string]struct{}{}, limit: limit}
}

func (s *seenIDs) has(id string) bool {
	_, ok := s.set[id]
	return ok
}

func (s *seenIDs) add(id string) {
	if s.has(id) {
		return
	}
	if len(s.ring) < s.limit {
		s.ring = append(s.ring, id)
	} else {
		delete(s.set, s.ring[s.next])
		s.ring[s.next] = id
		s.next = (s.next + 1) % s.limit
	}
	s.set[id] = struct{}{}
}
