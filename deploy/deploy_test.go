// Package deploy holds what runs a bounded proof on a cluster: a container
// image (Containerfile), Kubernetes manifests (k8s/) and, at the root, the
// CI workflow .github/workflows/verify-shards.yml. This test keeps them
// from rotting: it runs the Job's own command line for every index, as
// Kubernetes would, then the merge Job's, and compares the verdict with an
// unsharded verify.
package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The test's proof: small enough for a few seconds on one core. The Job's
// script reads N and n from its environment (MAX_DEVICES, SHARDS), so the
// test runs the manifest's command line unchanged with these values in
// place of the manifest's (and completions = testShards). VERIFY_FLAGS is
// the manifest's.
const (
	testMaxDevices = "3"
	testShards     = 4
)

// The parts of a Kubernetes Job the test reads.
type job struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Spec       struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    *int   `yaml:"completions"`
		Parallelism    *int   `yaml:"parallelism"`
		Template       struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	RestartPolicy   string `yaml:"restartPolicy"`
	SecurityContext struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
		RunAsUser    int  `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name    string   `yaml:"name"`
		Image   string   `yaml:"image"`
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Env     []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom any    `yaml:"valueFrom"`
		} `yaml:"env"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name                  string `yaml:"name"`
		PersistentVolumeClaim struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

// container is one container of a Job's pod, ready to run locally.
type container struct {
	argv    []string          // command + args, as written
	env     map[string]string // its env list
	order   []string          // the env names in order
	mounts  map[string]string // mountPath -> volume name
	image   string
	claims  map[string]string // volume name -> PVC
	user    int
	nonRoot bool
}

func readJob(t *testing.T, path string) (*job, *container) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j job
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if j.APIVersion != "batch/v1" || j.Kind != "Job" {
		t.Fatalf("%s: %s %s, want a batch/v1 Job", path, j.APIVersion, j.Kind)
	}
	ps := j.Spec.Template.Spec
	if ps.RestartPolicy != "Never" {
		t.Errorf("%s: restartPolicy %q: a failed shard must be a failed pod (Never)", path, ps.RestartPolicy)
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", path, len(ps.Containers))
	}
	c := ps.Containers[0]
	ct := &container{argv: append(slices.Clone(c.Command), c.Args...), env: map[string]string{}, mounts: map[string]string{},
		image: c.Image, claims: map[string]string{}, user: ps.SecurityContext.RunAsUser, nonRoot: ps.SecurityContext.RunAsNonRoot}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			t.Fatalf("%s: env %s uses valueFrom, which the test cannot reproduce", path, e.Name)
		}
		// Kubernetes expands $(VAR) in an env value with the variables
		// defined before it.
		ct.env[e.Name] = expand(e.Value, ct.env)
		ct.order = append(ct.order, e.Name)
	}
	for _, m := range c.VolumeMounts {
		ct.mounts[m.MountPath] = m.Name
	}
	for _, v := range ps.Volumes {
		ct.claims[v.Name] = v.PersistentVolumeClaim.ClaimName
	}
	if len(ct.argv) == 0 {
		t.Fatalf("%s: the container has no command: it would run the image's ENTRYPOINT", path)
	}
	return &j, ct
}

// expand does what Kubernetes does to a container's command, args and env
// values: $(VAR) becomes VAR's value if VAR is defined (and stays as is
// otherwise), $$ becomes $, and any other $ is kept (as in Kubernetes'
// third_party/forked/golang/expansion, quirks included).
func expand(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				// Kubernetes writes an unterminated "$(" as "$$(".
				b.WriteString("$$(")
				i++
				continue
			}
			name := s[i+2 : i+2+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"I": "3", "N": "8"}
	for in, want := range map[string]string{
		"--shard $(I)/$(N)":          "--shard 3/8",
		"$(UNDEFINED) $$(I) $$ $x $": "$(UNDEFINED) $(I) $ $x $",
		"$((I + 1)) $(I":             "$((I + 1)) $$(I",
	} {
		if got := expand(in, vars); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

// run starts a container's command the way its pod would: command and args
// expanded with its environment, the environment set, shutdowncheck on the
// PATH, and each mountPath replaced by a directory under root.
func (c *container) run(t *testing.T, bin, root string, override map[string]string) (int, string) {
	t.Helper()
	env := map[string]string{}
	for k, v := range c.env {
		env[k] = v
	}
	for k, v := range override {
		env[k] = v
	}
	remount := func(s string) string {
		for p := range c.mounts {
			s = strings.ReplaceAll(s, p, filepath.Join(root, filepath.Base(p)))
		}
		return s
	}
	var argv, environ []string
	for _, a := range c.argv {
		e := expand(a, env)
		if e != a {
			// The CI workflow runs the same script without this expansion.
			t.Errorf("Kubernetes would change the command line (a $(VAR) or $$ in it): %q", a)
		}
		argv = append(argv, remount(e))
	}
	environ = append(environ, "PATH="+bin+string(os.PathListSeparator)+"/usr/bin:/bin", "HOME="+root)
	for k, v := range env {
		environ = append(environ, k+"="+remount(v))
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = environ
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("%v: %v", argv, err)
	return 0, ""
}

// buildCLI builds ./cmd/shutdowncheck once into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "shutdowncheck"), "./cmd/shutdowncheck")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// report is verify's --json output, as comparable data: everything but the
// seconds, which shards were merged, and the work of exploring the members
// of violating classes (each shard explores its own: it depends on the
// sharding, the verdicts do not).
func report(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("not a report: %v\n%s", err, data)
	}
	delete(r, "merged_shards")
	delete(r, "expanded")
	delete(r, "expanded_stats")
	if s, ok := r["stats"].(map[string]any); ok {
		delete(s, "seconds")
	}
	return r
}

func readScript(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The Indexed Job's command, run for every index and merged by the merge
// Job's command, gives the verdict, counts and counterexamples of one
// unsharded verify.
func TestJobShardsMergeToUnshardedProof(t *testing.T) {
	vj, verify := readJob(t, "k8s/verify-job.yaml")
	mj, merge := readJob(t, "k8s/merge-job.yaml")

	// The manifest is an Indexed Job of n pods, and says n three times.
	if vj.Spec.CompletionMode != "Indexed" {
		t.Errorf("verify Job: completionMode %q, want Indexed", vj.Spec.CompletionMode)
	}
	n, err := strconv.Atoi(verify.env["SHARDS"])
	if err != nil || vj.Spec.Completions == nil || vj.Spec.Parallelism == nil || *vj.Spec.Completions != n || *vj.Spec.Parallelism != n {
		t.Errorf("verify Job: completions %v, parallelism %v and env SHARDS %q must be one number", vj.Spec.Completions, vj.Spec.Parallelism, verify.env["SHARDS"])
	}
	if merge.env["SHARDS"] != verify.env["SHARDS"] {
		t.Errorf("merge Job: SHARDS %q, the verify Job's %q", merge.env["SHARDS"], verify.env["SHARDS"])
	}
	if mj.Spec.Completions != nil && *mj.Spec.Completions != 1 {
		t.Errorf("merge Job: completions %d, want 1", *mj.Spec.Completions)
	}
	// Both see the same volume at the same place, and RESULTS names it.
	for name, c := range map[string]*container{"verify": verify, "merge": merge} {
		vol, ok := c.mounts[c.env["RESULTS"]]
		if !ok {
			t.Fatalf("%s Job: RESULTS=%q is not a mountPath (%v)", name, c.env["RESULTS"], c.mounts)
		}
		if c.claims[vol] != "shutdowncheck-results" {
			t.Errorf("%s Job: /results is volume %q of claim %q, want the PVC of k8s/pvc.yaml", name, vol, c.claims[vol])
		}
		if c.image != verify.image {
			t.Errorf("%s Job: image %q, the verify Job's %q", name, c.image, verify.image)
		}
		if !c.nonRoot || c.user == 0 {
			t.Errorf("%s Job: must run as a non-root user", name)
		}
	}
	if !strings.Contains(readScript(t, "k8s/pvc.yaml"), "name: shutdowncheck-results") {
		t.Error("k8s/pvc.yaml does not define the claim shutdowncheck-results")
	}

	bin := buildCLI(t)
	root := t.TempDir()
	override := map[string]string{"MAX_DEVICES": testMaxDevices, "SHARDS": strconv.Itoa(testShards)}
	results := filepath.Join(root, filepath.Base(verify.env["RESULTS"]))
	for i := range testShards {
		override["JOB_COMPLETION_INDEX"] = strconv.Itoa(i) // set by Kubernetes in each pod
		code, out := verify.run(t, bin, root, override)
		if code != 0 {
			t.Fatalf("index %d: exit %d, want 0 (a violation is a result, not a failed pod):\n%s", i, code, out)
		}
	}
	var want []string
	for i := 1; i <= testShards; i++ {
		want = append(want, fmt.Sprintf("shard-%d-of-%d.json", i, testShards))
	}
	entries, _ := os.ReadDir(results)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("the shards wrote %v, want %v", got, want)
	}

	delete(override, "JOB_COMPLETION_INDEX")
	mergeCode, mergeOut := merge.run(t, bin, root, override)
	merged, err := os.ReadFile(filepath.Join(results, "merged.json"))
	if err != nil {
		t.Fatalf("merge Job (exit %d) wrote no merged.json: %v\n%s", mergeCode, err, mergeOut)
	}

	// The same space, unsharded: the manifest's flags without --shard.
	args := append([]string{"verify", "--max-devices", testMaxDevices}, strings.Fields(verify.env["VERIFY_FLAGS"])...)
	cmd := exec.Command(filepath.Join(bin, "shutdowncheck"), append(args, "--json")...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	wantCode := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		wantCode = exit.ExitCode()
	}
	if wantCode > 1 {
		t.Fatalf("%v: exit %d", args, wantCode)
	}
	if mergeCode != wantCode {
		t.Errorf("merge Job: exit %d, unsharded verify: %d\n%s", mergeCode, wantCode, mergeOut)
	}
	if a, b := report(t, merged), report(t, stdout.Bytes()); !reflect.DeepEqual(a, b) {
		x, _ := json.MarshalIndent(a, "", "  ")
		y, _ := json.MarshalIndent(b, "", "  ")
		t.Errorf("merged shards differ from the unsharded run:\n%s\nunsharded:\n%s", x, y)
	}
	var m struct {
		Merged   []int `json:"merged_shards"`
		Complete bool  `json:"complete"`
	}
	if err := json.Unmarshal(merged, &m); err != nil || len(m.Merged) != testShards || !m.Complete {
		t.Errorf("merged.json: shards %v, complete %v (%v)", m.Merged, m.Complete, err)
	}

	// A missing shard is not a proof, even though merge alone exits 0 when
	// the shards it has found nothing.
	if err := os.Remove(filepath.Join(results, want[0])); err != nil {
		t.Fatal(err)
	}
	if code, out := merge.run(t, bin, root, override); code != 2 {
		t.Errorf("merge Job with a shard missing: exit %d, want 2\n%s", code, out)
	}
	// Bad usage fails the pod with exit 2 (podFailurePolicy: FailJob), and
	// leaves no report.
	override["JOB_COMPLETION_INDEX"], override["MAX_DEVICES"] = "0", "0"
	if code, out := verify.run(t, bin, root, override); code != 2 {
		t.Errorf("verify Job with MAX_DEVICES=0: exit %d, want 2\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(results, want[0])); err == nil {
		t.Errorf("a failed shard wrote %s", want[0])
	}
}

// The workflow's shard and merge steps run the Jobs' scripts, with the
// same environment, over a matrix of the same indexes.
func TestWorkflowRunsTheJobsScripts(t *testing.T) {
	_, verify := readJob(t, "k8s/verify-job.yaml")
	_, merge := readJob(t, "k8s/merge-job.yaml")
	type step struct {
		ID    string            `yaml:"id"`
		Name  string            `yaml:"name"`
		Uses  string            `yaml:"uses"`
		Shell string            `yaml:"shell"`
		Env   map[string]string `yaml:"env"`
		Run   string            `yaml:"run"`
		With  map[string]any    `yaml:"with"`
	}
	var wf struct {
		On struct {
			Dispatch struct {
				Inputs map[string]struct {
					Type    string `yaml:"type"`
					Default any    `yaml:"default"`
				} `yaml:"inputs"`
			} `yaml:"workflow_dispatch"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Needs    any `yaml:"needs"`
			Strategy struct {
				Matrix map[string]any `yaml:"matrix"`
			} `yaml:"strategy"`
			Outputs map[string]string `yaml:"outputs"`
			Steps   []step            `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(readScript(t, "../.github/workflows/verify-shards.yml")), &wf); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"max-devices", "shards", "verify-flags"} {
		if _, ok := wf.On.Dispatch.Inputs[in]; !ok {
			t.Errorf("workflow_dispatch has no input %q", in)
		}
	}
	find := func(jobName, script string) *step {
		for i, s := range wf.Jobs[jobName].Steps {
			if s.Run == script {
				return &wf.Jobs[jobName].Steps[i]
			}
		}
		t.Fatalf("job %q has no step running the manifest's script:\n%s", jobName, script)
		return nil
	}
	// sh -c SCRIPT in the pods; shell: sh runs the same sh.
	if !slices.Equal(verify.argv[:2], []string{"/bin/sh", "-c"}) || !slices.Equal(merge.argv[:2], []string{"/bin/sh", "-c"}) || len(verify.argv) != 3 || len(merge.argv) != 3 {
		t.Fatalf("the Jobs' commands are not /bin/sh -c SCRIPT: %q, %q", verify.argv, merge.argv)
	}
	shard := find("shard", verify.argv[2])
	mergeStep := find("merge", merge.argv[2])
	wantEnv := map[string]string{
		"JOB_COMPLETION_INDEX": "${{ matrix.index }}",
		"MAX_DEVICES":          "${{ inputs.max-devices }}",
		"VERIFY_FLAGS":         "${{ inputs.verify-flags }}",
		"SHARDS":               "${{ inputs.shards }}",
	}
	for _, s := range []*step{shard, mergeStep} {
		if s.Shell != "sh" {
			t.Errorf("step %q: shell %q, want sh (as in the pods)", s.Name, s.Shell)
		}
		if s.Env["RESULTS"] == "" {
			t.Errorf("step %q sets no RESULTS", s.Name)
		}
	}
	for k, v := range wantEnv {
		if shard.Env[k] != v {
			t.Errorf("shard step: %s=%q, want %q", k, shard.Env[k], v)
		}
	}
	for _, k := range verify.order {
		if _, ok := shard.Env[k]; !ok {
			t.Errorf("shard step does not set %s, which the Job's script has", k)
		}
	}
	for _, k := range merge.order {
		if _, ok := mergeStep.Env[k]; !ok {
			t.Errorf("merge step does not set %s, which the merge Job's script has", k)
		}
	}
	if mergeStep.Env["SHARDS"] != wantEnv["SHARDS"] || mergeStep.Env["RESULTS"] != shard.Env["RESULTS"] {
		t.Errorf("merge step env %v does not match the shard step's", mergeStep.Env)
	}
	if m := wf.Jobs["shard"].Strategy.Matrix["index"]; m != "${{ fromJSON(needs.build.outputs.indexes) }}" {
		t.Errorf("shard matrix index: %v", m)
	}
	if fmt.Sprint(wf.Jobs["merge"].Needs) != "shard" {
		t.Errorf("merge needs %v, want shard", wf.Jobs["merge"].Needs)
	}

	// The plan step makes the matrix 0..n-1, JOB_COMPLETION_INDEX's range.
	var plan *step
	for i, s := range wf.Jobs["build"].Steps {
		if s.ID == "plan" {
			plan = &wf.Jobs["build"].Steps[i]
		}
	}
	if plan == nil || wf.Jobs["build"].Outputs["indexes"] != "${{ steps.plan.outputs.indexes }}" {
		t.Fatal("build job has no plan step for the matrix")
	}
	for _, shards := range []string{"1", strconv.Itoa(testShards), "0", "257", "x"} {
		out := filepath.Join(t.TempDir(), "output")
		cmd := exec.Command("bash", "-e", "-c", plan.Run)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "SHARDS=" + shards, "GITHUB_OUTPUT=" + out}
		msg, err := cmd.CombinedOutput()
		n, _ := strconv.Atoi(shards)
		if n < 1 || n > 256 {
			if err == nil {
				t.Errorf("plan accepts shards=%s", shards)
			}
			continue
		}
		data, _ := os.ReadFile(out)
		var idx []int
		if err != nil || !strings.HasPrefix(string(data), "indexes=") || json.Unmarshal([]byte(strings.TrimPrefix(string(data), "indexes=")), &idx) != nil {
			t.Fatalf("plan with shards=%s: %v %s, output %q", shards, err, msg, data)
		}
		if len(idx) != n || idx[0] != 0 || idx[n-1] != n-1 {
			t.Errorf("plan with shards=%s: indexes %v", shards, idx)
		}
	}
}

// The image builds the CLI with go.mod's Go, without cgo, runs it as a
// non-root user (the one the Jobs ask for), and has the /bin/sh and the
// shutdowncheck on the PATH that the Jobs' scripts use.
func TestContainerfile(t *testing.T) {
	file := readScript(t, "Containerfile")
	gomod := readScript(t, "../go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if goVersion == nil {
		t.Fatal("go.mod has no go line")
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(file, -1)
	if len(froms) != 2 {
		t.Fatalf("want a two-stage build, got FROM %v", froms)
	}
	if want := "golang:" + goVersion[1]; froms[0][1] != want {
		t.Errorf("builder %s, want %s (go.mod)", froms[0][1], want)
	}
	if rt := froms[1][1]; strings.Contains(rt, "distroless") || rt == "scratch" {
		t.Errorf("runtime image %s has no /bin/sh, which the Jobs run", rt)
	}
	for _, want := range []string{"CGO_ENABLED=0 go build", "./cmd/shutdowncheck", "/usr/local/bin/shutdowncheck", `ENTRYPOINT ["/usr/local/bin/shutdowncheck"]`} {
		if !strings.Contains(file, want) {
			t.Errorf("Containerfile lacks %q", want)
		}
	}
	_, verify := readJob(t, "k8s/verify-job.yaml")
	user := regexp.MustCompile(`(?m)^USER (\d+)`).FindStringSubmatch(file)
	if user == nil || user[1] == "0" || user[1] != strconv.Itoa(verify.user) {
		t.Errorf("USER %v: want the non-root uid the Job runs as (%d)", user, verify.user)
	}
}
