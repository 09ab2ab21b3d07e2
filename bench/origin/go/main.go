// Command krakenhrw is the same-machine baseline for bench/origin/placement.ts:
// it runs Uber Kraken's own lib/hrw (imported as a Go module, not copied),
// set up the way Kraken's origin hash ring sets it up:
// hrw.NewRendezvousHash(hrw.Murmur3Hash, hrw.UInt64ToFloat64).
//
//	krakenhrw -verify vectors.json      checks Kraken's output against the fixture
//	krakenhrw -keys keys.txt -rounds 3  prints placement throughput as one JSON line
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/uber/kraken/lib/hrw"
)

// scenarioE is the 7-node scenario E of shared/fixtures/kraken-hrw.
var scenarioE = []struct {
	label  string
	weight int
}{
	{"kraken-origin-master01-sjc1", 10000},
	{"kraken-origin-master02-sjc1", 15000},
	{"kraken-origin-master03-sjc1", 30000},
	{"kraken-origin-master04-sjc1", 60000},
	{"kraken-origin-master05-sjc1", 30000},
	{"kraken-origin-master06-sjc1", 15000},
	{"kraken-origin-master07-sjc1", 10000},
}

type fixture struct {
	Scenarios []struct {
		Name  string `json:"name"`
		Nodes []struct {
			Label  string `json:"label"`
			Weight int    `json:"weight"`
		} `json:"nodes"`
		Vectors []struct {
			Key     string            `json:"key"`
			Ordered []string          `json:"ordered"`
			Scores  map[string]string `json:"scores"`
		} `json:"vectors"`
	} `json:"scenarios"`
}

func main() {
	keysFile := flag.String("keys", "", "file with one hex key per line")
	rounds := flag.Int("rounds", 3, "timed passes over the keys; the fastest is reported")
	verify := flag.String("verify", "", "vectors.json to check Kraken's lib/hrw against")
	flag.Parse()

	switch {
	case *verify != "":
		os.Exit(verifyVectors(*verify))
	case *keysFile != "":
		os.Exit(bench(*keysFile, *rounds))
	default:
		fmt.Fprintln(os.Stderr, "usage: krakenhrw -verify vectors.json | -keys FILE [-rounds N]")
		os.Exit(2)
	}
}

func verifyVectors(path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	checked, mismatches := 0, 0
	for _, s := range f.Scenarios {
		rh := hrw.NewRendezvousHash(hrw.Murmur3Hash, hrw.UInt64ToFloat64)
		for _, n := range s.Nodes {
			rh.AddNode(n.Label, n.Weight)
		}
		for _, v := range s.Vectors {
			nodes := rh.GetOrderedNodes(v.Key, len(s.Nodes))
			for i, n := range nodes {
				got := strconv.FormatFloat(n.Score(v.Key), 'g', -1, 64)
				if n.Label != v.Ordered[i] || got != v.Scores[n.Label] {
					mismatches++
					fmt.Fprintf(os.Stderr, "scenario %s key %s: position %d got %s (%s), want %s (%s)\n",
						s.Name, v.Key, i, n.Label, got, v.Ordered[i], v.Scores[v.Ordered[i]])
				}
			}
			checked++
		}
	}
	fmt.Printf("{\"verified\":%d,\"mismatches\":%d}\n", checked, mismatches)
	if mismatches > 0 {
		return 1
	}
	return 0
}

func bench(path string, rounds int) int {
	fh, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer fh.Close()
	var keys []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			keys = append(keys, line)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	rh := hrw.NewRendezvousHash(hrw.Murmur3Hash, hrw.UInt64ToFloat64)
	index := map[string]uint32{}
	for i, n := range scenarioE {
		rh.AddNode(n.label, n.weight)
		index[n.label] = uint32(i)
	}

	best := time.Duration(0)
	var checksum uint32
	for r := 0; r < rounds; r++ {
		// FNV-1a over the node index of every position of every ordered list,
		// so the TS run can show it computed the same placements.
		checksum = 2166136261
		start := time.Now()
		for _, k := range keys {
			for _, n := range rh.GetOrderedNodes(k, len(scenarioE)) {
				checksum = (checksum ^ index[n.Label]) * 16777619
			}
		}
		elapsed := time.Since(start)
		if best == 0 || elapsed < best {
			best = elapsed
		}
	}
	fmt.Printf("{\"impl\":\"kraken-go\",\"keys\":%d,\"nodes\":%d,\"seconds\":%.6f,\"keysPerSec\":%.0f,\"checksum\":%d}\n",
		len(keys), len(scenarioE), best.Seconds(), float64(len(keys))/best.Seconds(), checksum)
	return 0
}
