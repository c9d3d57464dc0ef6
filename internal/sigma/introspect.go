package sigma

// Predicate is one field test of a rule, as written: which selection, which
// field with which modifiers, and the values (alternatives). Keyword
// searches have an empty Field.
type Predicate struct {
	Selection string
	Field     string
	Modifiers []string
	Values    []string
}

// Predicates lists every field test of the rule's detection, in file order.
// It is for documentation and coverage reports, not for matching.
func (r *Rule) Predicates() []Predicate {
	if r == nil || r.det == nil {
		return nil
	}
	var out []Predicate
	for _, sel := range r.det.sels {
		for _, group := range sel.groups {
			for _, it := range group {
				p := Predicate{Selection: sel.name, Field: it.field, Modifiers: append([]string(nil), it.mods...)}
				for _, alt := range it.alts {
					for _, v := range alt {
						p.Values = append(p.Values, v.src)
					}
				}
				out = append(out, p)
			}
		}
	}
	return out
}
