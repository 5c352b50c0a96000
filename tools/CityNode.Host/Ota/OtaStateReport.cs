using System.Globalization;
using CityNode.Node;
using CityNode.Ota;

namespace CityNode.Host.Ota;

/// <summary>
/// A node's OTA state report as it publishes it on <c>citynode/ID/ota/state</c> (docs/ota.md, "Wire"):
/// ASCII <c>key=value</c> lines — <c>version</c>, <c>counter</c> (the running release's), <c>slot</c>,
/// <c>state</c> (idle|downloading|verifying|trial|confirmed|rolledback), <c>received</c>, <c>total</c>,
/// <c>failure</c> (an <see cref="OtaFailure"/> name, or empty), <c>detail</c>. Unknown keys are
/// ignored, so the node may add some.
/// </summary>
public sealed record OtaStateReport(string State, uint Counter, string? Version, long Received, long Total, string? Failure, string? Detail)
{
    /// <summary>Failures that refuse the manifest itself: the node stays on its release and will not take this one.</summary>
    private static readonly OtaFailure[] ManifestRefusals =
    [
        OtaFailure.ManifestMalformed, OtaFailure.BadSignature, OtaFailure.WrongTarget, OtaFailure.Downgrade,
        OtaFailure.RefusedBefore, OtaFailure.LoaderTooOld, OtaFailure.DoesNotFit,
    ];

    /// <summary>Parses a report; null when it has no <c>state=</c> line (not a report).</summary>
    public static OtaStateReport? Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            int eq = line.IndexOf('=');
            if (eq > 0)
            {
                values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        if (!values.TryGetValue("state", out string? state) || state.Length == 0)
        {
            return null;
        }

        return new OtaStateReport(
            state.ToLowerInvariant(),
            uint.TryParse(values.GetValueOrDefault("counter"), NumberStyles.None, CultureInfo.InvariantCulture, out uint c) ? c : 0,
            Empty(values.GetValueOrDefault("version")),
            long.TryParse(values.GetValueOrDefault("received"), NumberStyles.None, CultureInfo.InvariantCulture, out long r) ? r : 0,
            long.TryParse(values.GetValueOrDefault("total"), NumberStyles.None, CultureInfo.InvariantCulture, out long t) ? t : 0,
            Empty(values.GetValueOrDefault("failure")),
            Empty(values.GetValueOrDefault("detail")));
    }

    /// <summary>The node runs and has confirmed the release with this counter.</summary>
    public bool ConfirmedOn(uint counter) => State == OtaSession.StateName(OtaState.Confirmed) && Counter == counter;

    /// <summary>
    /// Why this report means the release failed on the node, or null: it rolled back (the trial did
    /// not confirm itself, or did not load), or it refused the manifest (signature, target, counter,
    /// loader, fit). A chunk refused for tampering is not a failure: the download goes on.
    /// </summary>
    public string? FailureReason()
    {
        if (State == OtaSession.StateName(OtaState.RolledBack))
        {
            return "rolled back" + Reason();
        }

        if (State == OtaSession.StateName(OtaState.Downloading) || State == OtaSession.StateName(OtaState.Verifying) || State == OtaSession.StateName(OtaState.Trial) || Failure is null)
        {
            return null;
        }

        string name = Failure.Replace("_", "", StringComparison.Ordinal);
        bool known = Enum.TryParse(name, ignoreCase: true, out OtaFailure f) && Enum.IsDefined(f) && !int.TryParse(name, out _);
        return known && ManifestRefusals.Contains(f) ? "refused the manifest" + Reason() : null;
    }

    private string Reason() => Failure is null ? "" : ": " + Failure + (Detail is null ? "" : $" ({Detail})");

    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
