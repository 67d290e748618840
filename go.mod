module github.com/pyport/imaplib

go 1.23

require (
	github.com/emersion/go-imap/v2 v2.0.0-beta.8 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
)
