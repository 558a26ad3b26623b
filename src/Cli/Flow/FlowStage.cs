namespace LeNetHls.Cli.Flow;

/// <summary>
/// One step of `lenet-hls flow`: a lenet-hls subcommand run as a child process, whose log goes to
/// DIR/logs/NAME.log. It is skipped when the hash of its arguments and input files equals the hash
/// stamped after its last success and its outputs still exist.
/// </summary>
public sealed record FlowStage(
    string Name,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs);
