module github.com/shutdowncheck/shutdowncheck

go 1.26.8

require (
	github.com/anishathalye/porcupine v1.3.1
	go.yaml.in/yaml/v3 v3.0.6
	pgregory.net/rapid v1.3.0
)
