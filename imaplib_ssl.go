package imaplib

import (
	"crypto/tls"
	"time"
)

// IMAP4_SSL mirrors imaplib.IMAP4_SSL: IMAP4 over implicit TLS. It embeds
// *IMAP4, so every method and field is promoted, and S.IMAP4 is the *IMAP4
// that code written for either class can hold.
type IMAP4_SSL struct {
	*IMAP4
	// SSLContext mirrors ssl_context: the configuration the connection
	// was made with, ServerName filled in.
	SSLContext *tls.Config
}

// NewIMAP4_SSL mirrors IMAP4_SSL(host, port, ssl_context=..., timeout=...).
// Port 0 means IMAP4_SSL_PORT. Unlike CPython, a nil sslContext verifies
// the server's certificate against the system roots and the host name;
// pass &tls.Config{InsecureSkipVerify: true} for CPython's default.
func NewIMAP4_SSL(host string, port int, sslContext *tls.Config, timeout time.Duration) (*IMAP4_SSL, error) {
	if port == 0 {
		port = IMAP4_SSL_PORT
	}
	cfg := clientTLSConfig(sslContext, host)
	m, err := NewIMAP4WithTransport(&SocketTransport{TLSConfig: cfg}, host, port, timeout)
	if err != nil {
		return nil, err
	}
	return &IMAP4_SSL{IMAP4: m, SSLContext: cfg}, nil
}
