module dataplat/bench/origin/go

go 1.22

require github.com/uber/kraken v0.1.4

require github.com/spaolacci/murmur3 v0.0.0-20180118202830-f09979ecbc72 // indirect
