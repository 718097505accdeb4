module github.com/shutdowncheck/shutdowncheck

go 1.26.8
