namespace LeNetHls.Cli.Regress;

/// <summary>What the emitted jobs run: the same `regress` arguments on every shard.</summary>
public sealed record EmitOptions
{
    public required int Shards { get; init; }
    /// <summary>Matrix file as the jobs will see it (null: the built-in matrix).</summary>
    public string? Matrix { get; init; }
    /// <summary>Test images per case: a count or "all" (null: the matrix's).</summary>
    public string? Images { get; init; }
    public int Jobs { get; init; } = 2;
    /// <summary>The lenet-hls command on the cluster's nodes.</summary>
    public string Cli { get; init; } = "lenet-hls";
    /// <summary>Folder the Slurm jobs run in (the repository or a copy on the shared file system).</summary>
    public string WorkDir { get; init; } = ".";
    public string Models { get; init; } = "out/models";
    public string Data { get; init; } = "data/mnist";
}

/// <summary>
/// `regress emit slurm|github`: ready-to-run files that spread the matrix over n shards and merge the
/// shards' JUnit files (`regress merge`, which checks every case ran exactly once).
/// </summary>
public static class RegressEmitter
{
    public const string SlurmArray = "regress-array.sbatch";
    public const string SlurmMerge = "regress-merge.sbatch";
    public const string SlurmSubmit = "submit.sh";
    public const string GitHubWorkflow = "lenet-regress.yml";

    private static string Q(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string CommonArgs(EmitOptions o, Func<string, string> quote)
    {
        var a = new StringBuilder();
        if (o.Matrix is not null) a.Append(" --matrix ").Append(quote(o.Matrix));
        if (o.Images is not null) a.Append(" --images ").Append(quote(o.Images));
        return a.ToString();
    }

    /// <summary>
    /// A Slurm array job (task t of 0..n-1 runs shard t+1 of n, shards being 1-based), a merge job and the
    /// script that submits both, the merge depending on the whole array (afterany: it reports failed shards too).
    /// </summary>
    public static IReadOnlyList<string> Slurm(EmitOptions o, string outDir)
    {
        Validate(o);
        string dir = Path.GetFullPath(outDir);
        AtomicFile.EnsureWritableDirectory(dir);
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        Directory.CreateDirectory(Path.Combine(dir, "shards"));
        string n = I(o.Shards);
        string array =
            "#!/usr/bin/env bash\n" +
            "# lenet-hls regression: one shard of the matrix per array task (submit with submit.sh).\n" +
            "#SBATCH --job-name=lenet-regress\n" +
            $"#SBATCH --array=0-{I(o.Shards - 1)}\n" +
            "#SBATCH --ntasks=1\n" +
            $"#SBATCH --cpus-per-task={I(o.Jobs)}\n" +
            $"#SBATCH --output={Path.Combine(dir, "logs", "shard-%a.out")}\n" +
            "set -euo pipefail\n" +
            $"cd {Q(o.WorkDir)}\n" +
            "# Array tasks count from 0, regress shards from 1.\n" +
            "shard=$((SLURM_ARRAY_TASK_ID + 1))\n" +
            $"exec {Q(o.Cli)} regress --shard \"$shard/{n}\" --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\"{CommonArgs(o, Q)} " +
            $"--models {Q(o.Models)} --data {Q(o.Data)} " +
            $"--out {Q(Path.Combine(dir, "work"))}\"/shard-$shard\" --junit {Q(Path.Combine(dir, "shards"))}\"/shard-$shard-of-{n}.xml\"\n";
        string merge =
            "#!/usr/bin/env bash\n" +
            "# lenet-hls regression: merges the shards' JUnit files once the whole array has ended.\n" +
            "#SBATCH --job-name=lenet-regress-merge\n" +
            "#SBATCH --ntasks=1\n" +
            "#SBATCH --cpus-per-task=1\n" +
            $"#SBATCH --output={Path.Combine(dir, "logs", "merge.out")}\n" +
            "set -euo pipefail\n" +
            $"cd {Q(o.WorkDir)}\n" +
            $"exec {Q(o.Cli)} regress merge {Q(Path.Combine(dir, "shards"))}/shard-*-of-{n}.xml{(o.Matrix is null ? "" : " --matrix " + Q(o.Matrix))} " +
            $"--out {Q(Path.Combine(dir, "merged"))}\n";
        string submit =
            "#!/usr/bin/env bash\n" +
            "# Submits the shard array, then the merge job that waits for all of it.\n" +
            "set -euo pipefail\n" +
            "cd \"$(dirname \"$0\")\"\n" +
            $"array=$(sbatch --parsable {SlurmArray})\n" +
            "array=${array%%;*}\n" +
            $"merge=$(sbatch --parsable --dependency=afterany:\"$array\" {SlurmMerge})\n" +
            "merge=${merge%%;*}\n" +
            "echo \"array job $array, merge job $merge\"\n";
        return Write(dir, [(SlurmArray, array), (SlurmMerge, merge), (SlurmSubmit, submit)]);
    }

    /// <summary>A GitHub Actions workflow: a matrix job of n shards, each uploading its JUnit file, and a merge job uploading the report.</summary>
    public static IReadOnlyList<string> GitHub(EmitOptions o, string outDir)
    {
        Validate(o);
        string dir = Path.GetFullPath(outDir);
        AtomicFile.EnsureWritableDirectory(dir);
        string n = I(o.Shards);
        string Y(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        string shards = string.Join(", ", Enumerable.Range(1, o.Shards).Select(I));
        const string setup =
            "      - uses: actions/checkout@v4\n" +
            "      - uses: actions/setup-dotnet@v4\n" +
            "        with:\n" +
            "          dotnet-version: '10.0.x'\n" +
            "      - name: Build (installs g++, Verilator and yosys when missing)\n" +
            "        run: make build\n";
        string cli = "artifacts/bin/Cli/release/lenet-hls";
        string workflow =
            "# lenet-hls regression over a matrix of configurations, sharded (emitted by `lenet-hls regress emit github`).\n" +
            "name: lenet-hls regress\n" +
            "on:\n" +
            "  workflow_dispatch:\n" +
            "  push:\n" +
            "    branches: [main]\n" +
            "jobs:\n" +
            "  shard:\n" +
            "    name: shard ${{ matrix.shard }}/" + n + "\n" +
            "    runs-on: ubuntu-latest\n" +
            "    strategy:\n" +
            "      fail-fast: false\n" +
            "      matrix:\n" +
            $"        shard: [{shards}]\n" +
            "    steps:\n" + setup +
            "      - name: MNIST\n" +
            "        run: make data\n" +
            "      - name: Regress shard ${{ matrix.shard }}/" + n + "\n" +
            $"        run: {cli} regress --shard ${{{{ matrix.shard }}}}/{n} --jobs {I(o.Jobs)}{CommonArgs(o, Y)} --junit shard-${{{{ matrix.shard }}}}-of-{n}.xml --out out/regress\n" +
            "      - uses: actions/upload-artifact@v4\n" +
            "        if: always()\n" +
            "        with:\n" +
            "          name: regress-shard-${{ matrix.shard }}\n" +
            $"          path: shard-${{{{ matrix.shard }}}}-of-{n}.xml\n" +
            "  merge:\n" +
            "    needs: shard\n" +
            "    if: always()\n" +
            "    runs-on: ubuntu-latest\n" +
            "    steps:\n" + setup +
            "      - uses: actions/download-artifact@v4\n" +
            "        with:\n" +
            "          pattern: regress-shard-*\n" +
            "          path: shards\n" +
            "          merge-multiple: true\n" +
            "      - name: Merge (fails unless every case ran exactly once)\n" +
            $"        run: {cli} regress merge shards/*.xml{(o.Matrix is null ? "" : " --matrix " + Y(o.Matrix))} --out merged\n" +
            "      - uses: actions/upload-artifact@v4\n" +
            "        if: always()\n" +
            "        with:\n" +
            "          name: regress-report\n" +
            "          path: merged/\n";
        return Write(dir, [(GitHubWorkflow, workflow)]);
    }

    private static void Validate(EmitOptions o)
    {
        if (o.Shards < 1) throw new LeNetHlsException($"--shards: {o.Shards} is not a positive count");
        if (o.Jobs < 1) throw new LeNetHlsException($"--jobs: {o.Jobs} is not a positive count");
    }

    private static List<string> Write(string dir, (string Name, string Text)[] files)
    {
        var paths = new List<string>();
        foreach (var (name, text) in files)
        {
            string path = Path.Combine(dir, name);
            AtomicFile.WriteAllText(path, text);
            if (!OperatingSystem.IsWindows() && (name.EndsWith(".sh", StringComparison.Ordinal) || name.EndsWith(".sbatch", StringComparison.Ordinal)))
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                           UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            paths.Add(path);
        }
        return paths;
    }
}
