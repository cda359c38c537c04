package ooxml

// SetAttr returns a copy of tag, the raw bytes of a start or empty tag,
// with attribute name set to value (which must need no escaping, as
// numbers and cell references do not): replaced where the tag has it,
// else added at the end. Everything else in the tag is kept as written.
func SetAttr(tag []byte, name, value string) []byte {
	end := len(tag) - 1 // the '>'
	if end > 0 && tag[end-1] == '/' {
		end--
	}
	n := 1 + nameEnd(tag[1:end])
	attrs := tag[n:end]
	out := make([]byte, 0, len(tag)+len(name)+len(value)+4)
	if v, at, ok := findAttr(attrs, name); ok {
		out = append(out, tag[:n+at]...)
		out = append(out, value...)
		return append(out, tag[n+at+len(v):]...)
	}
	out = append(out, tag[:end]...)
	out = append(out, ' ')
	out = append(out, name...)
	out = append(out, `="`...)
	out = append(out, value...)
	out = append(out, '"')
	return append(out, tag[end:]...)
}

// AttrOf returns the raw value of attribute name in tag, the raw bytes of
// a start or empty tag.
func AttrOf(tag []byte, name string) ([]byte, bool) {
	end := len(tag) - 1
	if end > 0 && tag[end-1] == '/' {
		end--
	}
	if end < 1 {
		return nil, false
	}
	n := 1 + nameEnd(tag[1:end])
	v, _, ok := findAttr(tag[n:end], name)
	return v, ok
}
