package llm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxResultLine is the longest line of a results file that is read: far
// more than any answer, so that a broken file cannot take all memory.
const maxResultLine = 64 << 20

// under returns the URL of path under the API root that p.endpoint sits
// in (the endpoint less suffix), keeping the base URL's query string
// (Azure's api-version).
func (p *poster) under(suffix, path string) string {
	u, err := url.Parse(p.endpoint)
	if err != nil { // newPoster built it, so it parses
		return p.endpoint
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, suffix), "/")
	u.RawPath = ""
	return u.JoinPath(path).String()
}

// send makes one request with the provider's headers (authentication,
// version) and contentType. A 2xx answer is returned with its body open,
// to be streamed and closed by the caller; any other status is an *Error.
// length is the body's size, or -1 when unknown.
func (p *poster) send(ctx context.Context, method, rawURL, contentType string, body io.Reader, length int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range p.header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	} else {
		req.Header.Del("Content-Type")
	}
	if length >= 0 {
		req.ContentLength = length
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer closeBody(resp.Body)
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
		return nil, p.statusError(resp, raw, p.limits(resp.Header, p.now()))
	}
	return resp, nil
}

// exchange sends body (JSON, or nothing when nil) and decodes a 2xx
// answer into out.
func (p *poster) exchange(ctx context.Context, method, rawURL string, body []byte, out any) error {
	var r io.Reader
	length := int64(-1)
	ctype := ""
	if body != nil {
		r, length, ctype = bytes.NewReader(body), int64(len(body)), "application/json"
	}
	resp, err := p.send(ctx, method, rawURL, ctype, r, length)
	if err != nil {
		return err
	}
	defer closeBody(resp.Body)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return fmt.Errorf("read response body: %w", err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return p.bodyError(unreadable(err, raw), resp.Header, Limits{})
	}
	return nil
}

// lines streams the JSON Lines body at rawURL to fn, a line at a time.
func (p *poster) lines(ctx context.Context, rawURL string, fn func([]byte) error) error {
	resp, err := p.send(ctx, http.MethodGet, rawURL, "", nil, -1)
	if err != nil {
		return err
	}
	defer closeBody(resp.Body)
	br := bufio.NewReaderSize(resp.Body, 1<<16)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s, line %d: %w", rawURL, n, err)
		}
	}
}

// readLine reads one line, however long, up to maxResultLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxResultLine {
			return nil, fmt.Errorf("a line is longer than %d MiB", maxResultLine>>20)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, err
	}
}

// submitError sorts a failed submission: a 404 means the server serves
// no batch API at all.
func submitError(rawURL string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return &NoBatchAPIError{URL: rawURL, Err: err}
	}
	return err
}
