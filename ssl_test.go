package imaplib

// TLS tests: IMAP4_SSL against the fake TLS server with certificates made
// at test time, and STARTTLS on a plain connection.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIMAP4_SSL(t *testing.T) {
	pki := fsTestPKI(t)

	t.Run("nil_config_refuses_self_signed", func(t *testing.T) {
		// A deliberate difference: CPython's default context verifies
		// nothing; a nil *tls.Config verifies against the system roots.
		srv := fsStartServer(t, &fsHandler{}, fsServerTLS(pki.selfSigned))
		_, err := NewIMAP4_SSL("127.0.0.1", srv.port, nil, 10*time.Second)
		require.Error(t, err)
		var unknown x509.UnknownAuthorityError
		assert.True(t, errors.As(err, &unknown), "want an unknown authority error, got %T: %v", err, err)
	})

	t.Run("nil_config_refuses_unknown_ca", func(t *testing.T) {
		srv := fsStartServer(t, &fsHandler{}, fsServerTLS(pki.full))
		_, err := NewIMAP4_SSL("localhost", srv.port, nil, 10*time.Second)
		var unknown x509.UnknownAuthorityError
		assert.True(t, errors.As(err, &unknown), "want an unknown authority error, got %T: %v", err, err)
	})

	t.Run("insecure_skip_verify_accepts", func(t *testing.T) {
		srv := fsStartServer(t, &fsHandler{}, fsServerTLS(pki.selfSigned))
		s, err := NewIMAP4_SSL("127.0.0.1", srv.port, &tls.Config{InsecureSkipVerify: true}, 10*time.Second)
		require.NoError(t, err)
		defer s.Shutdown()
		assert.Equal(t, "NONAUTH", s.State)
		_, isTLS := s.Socket().(*tls.Conn)
		assert.True(t, isTLS)
	})

	for _, host := range []string{"localhost", "127.0.0.1"} {
		t.Run("root_cas_accept/"+host, func(t *testing.T) {
			srv := fsStartServer(t, &fsHandler{}, fsServerTLS(pki.full))
			conf := &tls.Config{RootCAs: pki.pool}
			s, err := NewIMAP4_SSL(host, srv.port, conf, 10*time.Second)
			require.NoError(t, err)
			defer s.Shutdown()
			assert.Equal(t, host, s.SSLContext.ServerName, "ServerName comes from the host, as server_hostname=host")
			assert.Empty(t, conf.ServerName, "the caller's configuration is not modified")
			// Every IMAP4 method is promoted, and S.IMAP4 is the *IMAP4.
			typ, _, err := s.Login("user", "pass")
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			var m *IMAP4 = s.IMAP4
			assert.Equal(t, "AUTH", m.State)
			state := s.Socket().(*tls.Conn).ConnectionState()
			assert.True(t, state.HandshakeComplete)
			if host == "localhost" {
				// SNI carries host names only, never addresses.
				assert.Equal(t, host, state.ServerName)
			}
		})
	}

	t.Run("test_ssl_raises", func(t *testing.T) {
		// A certificate for localhost only does not cover 127.0.0.1.
		srv := fsStartServer(t, &fsHandler{}, fsServerTLS(pki.dnsOnly))
		_, err := NewIMAP4_SSL("127.0.0.1", srv.port, &tls.Config{RootCAs: pki.pool}, 10*time.Second)
		var mismatch x509.HostnameError
		require.True(t, errors.As(err, &mismatch), "want a host name error, got %T: %v", err, err)
		assert.Contains(t, err.Error(), "127.0.0.1")
	})

	t.Run("test_ssl_verified", func(t *testing.T) {
		srv := fsStartServer(t, &fsHandler{}, fsServerTLS(pki.dnsOnly))
		s, err := NewIMAP4_SSL("localhost", srv.port, &tls.Config{RootCAs: pki.pool}, 10*time.Second)
		require.NoError(t, err)
		defer s.Shutdown()
		typ, data, err := s.Logout()
		require.NoError(t, err)
		assert.Equal(t, "BYE", typ)
		assert.Equal(t, "[b'IMAP4ref1 Server logging out']", Repr(data))
	})

	t.Run("plain_server_refused", func(t *testing.T) {
		srv := fsStart(t, &fsHandler{})
		_, err := NewIMAP4_SSL("127.0.0.1", srv.port, &tls.Config{RootCAs: pki.pool}, 2*time.Second)
		require.Error(t, err)
		var ie *Error
		assert.False(t, errors.As(err, &ie), "a failed handshake is the TLS error itself, not an imaplib error: %v", err)
	})
}

// fsStartTLSHandler answers STARTTLS with OK followed, in the same write,
// by inject (where "{next}" is the tag the client will use next), then
// runs the server side of the handshake with cert. Before TLS it
// advertises STARTTLS; after, AUTH=PLAIN.
func fsStartTLSHandler(cert tls.Certificate, inject string) *fsHandler {
	conf := fsServerTLS(cert)
	return &fsHandler{cmds: map[string]fsCmd{
		"CAPABILITY": func(c *fsConn, tag string, args []string) {
			caps := "STARTTLS LOGINDISABLED"
			if _, isTLS := c.nc.(*tls.Conn); isTLS {
				caps = "AUTH=PLAIN"
			}
			c.sendLine("* CAPABILITY IMAP4rev1 " + caps)
			c.sendTagged(tag, "OK", "CAPABILITY completed")
		},
		"STARTTLS": func(c *fsConn, tag string, args []string) {
			n, _ := strconv.Atoi(tag[4:])
			next := tag[:4] + strconv.Itoa(n+1)
			c.send([]byte(tag + " OK Begin TLS negotiation now\r\n" + strings.ReplaceAll(inject, "{next}", next)))
			if err := c.startTLS(conf); err != nil {
				c.srv.setResponse([]byte("handshake: " + err.Error()))
			}
		},
	}}
}

func TestStartTLS(t *testing.T) {
	pki := fsTestPKI(t)

	t.Run("capabilities_reread_and_injection_discarded", func(t *testing.T) {
		inject := "* CAPABILITY IMAP4rev1 INJECTED\r\n{next} OK injected\r\n* X-INJECTED hello\r\n"
		m, srv := fsSetup(t, fsStartTLSHandler(pki.full, inject), false)
		assert.Equal(t, []string{"IMAP4REV1", "STARTTLS", "LOGINDISABLED"}, m.Capabilities)
		typ, data, err := m.StartTLS(&tls.Config{RootCAs: pki.pool})
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[None]", Repr(data))
		assert.Equal(t, []string{"IMAP4REV1", "AUTH=PLAIN"}, m.Capabilities, "capabilities are read again over TLS")
		_, injected := m.UntaggedResponses["X-INJECTED"]
		assert.False(t, injected, "bytes sent before the handshake must never be parsed after it")
		_, isTLS := m.Socket().(*tls.Conn)
		assert.True(t, isTLS)
		typ, _, err = m.Login("user", "pass")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		user, ok := srv.loggedUser()
		assert.True(t, ok)
		assert.Equal(t, "user", user)

		_, _, err = m.StartTLS(&tls.Config{RootCAs: pki.pool})
		fsAssertErr(t, err, "abort", "TLS session already established")
	})

	t.Run("tls_not_supported_by_server", func(t *testing.T) {
		m, srv := fsSetup(t, &fsHandler{}, false)
		before := len(srv.stream())
		_, _, err := m.StartTLS(&tls.Config{RootCAs: pki.pool})
		fsAssertErr(t, err, "abort", "TLS not supported by server")
		assert.Equal(t, before, len(srv.stream()), "nothing is sent")
	})

	t.Run("couldnt_establish_tls_session", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{caps: "STARTTLS", cmds: map[string]fsCmd{
			"STARTTLS": func(c *fsConn, tag string, args []string) { c.sendTagged(tag, "NO", "not now") },
		}}, false)
		_, _, err := m.StartTLS(&tls.Config{RootCAs: pki.pool})
		fsAssertErr(t, err, "error", "Couldn't establish TLS session")
		// The session goes on in clear text.
		_, isTLS := m.Socket().(*tls.Conn)
		assert.False(t, isTLS)
		typ, _, err := m.Login("user", "pass")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
	})

	t.Run("state_check", func(t *testing.T) {
		m, _ := fsSetup(t, fsStartTLSHandler(pki.full, ""), false)
		m.State = "AUTH"
		_, _, err := m.StartTLS(&tls.Config{RootCAs: pki.pool})
		fsAssertErr(t, err, "error", "command STARTTLS illegal in state AUTH, only allowed in states NONAUTH")
	})

	t.Run("nil_config_verifies", func(t *testing.T) {
		m, _ := fsSetup(t, fsStartTLSHandler(pki.full, ""), false)
		_, _, err := m.StartTLS(nil)
		var unknown x509.UnknownAuthorityError
		assert.True(t, errors.As(err, &unknown), "want an unknown authority error, got %T: %v", err, err)
	})

	t.Run("insecure_skip_verify", func(t *testing.T) {
		m, _ := fsSetup(t, fsStartTLSHandler(pki.selfSigned, ""), false)
		typ, _, err := m.StartTLS(&tls.Config{InsecureSkipVerify: true})
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, []string{"IMAP4REV1", "AUTH=PLAIN"}, m.Capabilities)
	})

	t.Run("server_name_from_host", func(t *testing.T) {
		for _, c := range []struct {
			host string
			ok   bool
		}{{"localhost", true}, {"127.0.0.1", false}} {
			t.Run(c.host, func(t *testing.T) {
				srv := fsStart(t, fsStartTLSHandler(pki.dnsOnly, ""))
				m, err := NewIMAP4(c.host, srv.port, 10*time.Second)
				require.NoError(t, err)
				defer m.Shutdown()
				_, _, err = m.StartTLS(&tls.Config{RootCAs: pki.pool})
				if c.ok {
					assert.NoError(t, err)
				} else {
					var mismatch x509.HostnameError
					assert.True(t, errors.As(err, &mismatch), "want a host name error, got %T: %v", err, err)
				}
			})
		}
	})
}
