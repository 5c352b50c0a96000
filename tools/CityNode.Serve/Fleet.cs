using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CityNode.Config;
using CityNode.Host.Reports;
using CityNode.Host.Simulation;
using CityNode.Host.Stores;
using CityNode.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using CityNode.Ota;

namespace CityNode.Serve;

/// <summary>One node as the fleet page shows it.</summary>
public sealed record FleetRow(
    uint Node, string Name, DateTimeOffset LastSeen, long LastSampleTime, TimeSpan? PublishInterval, DateTimeOffset? ExpectedNext, bool Silent,
    long? BatteryMv, double? TrendMvPerDay, double? DaysLeft, bool LowBattery, long? RssiDbm, IReadOnlyDictionary<string, long> FaultsPerChannel,
    long? DroppedReadings, long? DroppedBatches, long? ConfigVersion, long? ConfigRejectedVersion, long? SafeModeBoots, bool SafeMode, string? Text, string Firmware);

/// <summary>
/// The technicians' fleet view (<c>/fleet</c>, behind <see cref="FleetAuth"/>): every node from its
/// last batches' diagnostics. Days left = the node's battery life at full charge from its reported
/// phase times (<see cref="EnergyCalibration"/>, the computation of <c>energy --from</c>) times the
/// charge left, read from battery_mv on the Li-ion curve the simulation uses
/// (<see cref="SimulatedNode.LiIonMillivolts"/>).
/// </summary>
internal sealed class Fleet(ServeStore store, RegistrySource registry, ServeOptions options)
{
    /// <summary>Batches looked at per node for the publish interval, battery trend and safe mode.</summary>
    private const int Recent = 24;

    /// <summary>A node is silent when nothing came for this many publish intervals (one lost publish is normal with outages).</summary>
    private const int SilentIntervals = 3;

    private static readonly TimeSpan MinSilence = TimeSpan.FromMinutes(5);

    /// <summary>The firmware's own low-battery threshold (the default of low_battery_mv, where it starts stretching its intervals).</summary>
    public static int LowBatteryMv => NodeConfig.Parse("node.id = 1").LowBatteryMillivolts;

    private (long Batches, DateTimeOffset At, EnergyCalibration? Figures) _energy = (-1, DateTimeOffset.MinValue, null);
    private readonly Lock _lock = new();

    public void Map(WebApplication app, FleetAuth auth)
    {
        app.MapGet("/fleet", async ctx =>
        {
            if (!await Door(ctx, auth))
            {
                return;
            }

            await Html(ctx, 200, "Fleet", FleetTable(Rows()));
        });
        app.MapPost("/fleet/login", async ctx =>
        {
            var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync() : null;
            if (auth.Check(form?["token"]))
            {
                auth.SignIn(ctx);
                ctx.Response.Redirect("/fleet", permanent: false);
                ctx.Response.StatusCode = 303;
                return;
            }

            await LoginPage(ctx, auth, "That token is not the fleet token.");
        });
        app.MapGet("/fleet/logout", ctx =>
        {
            FleetAuth.SignOut(ctx);
            ctx.Response.Redirect("/", permanent: false);
            return Task.CompletedTask;
        });
        app.MapGet("/fleet/nodes/{id}", async ctx =>
        {
            if (!await Door(ctx, auth))
            {
                return;
            }

            uint node = ApiInput.Node((string)ctx.Request.RouteValues["id"]!);
            var batches = store.RecentBatches(node, 200);
            if (batches.Count == 0)
            {
                await Html(ctx, 404, $"Node {node}", $"<p>Node {node} has no batches in the database.</p>");
                return;
            }

            await Html(ctx, 200, $"Node {node}: diagnostics", History(node, batches));
        });
    }

    private static async Task<bool> Door(HttpContext ctx, FleetAuth auth)
    {
        if (auth.Allowed(ctx))
        {
            ctx.Response.Headers.CacheControl = "no-store";
            return true;
        }

        await LoginPage(ctx, auth, null);
        return false;
    }

    private static Task LoginPage(HttpContext ctx, FleetAuth auth, string? problem)
    {
        ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"citynode fleet\"";
        string body = auth.Enabled
            ? "<p>The fleet view is for the network's technicians. Give the fleet token (the file given to <code>serve --fleet-token-file</code>).</p>" +
              (problem is null ? "" : $"<p class=\"problem\" id=\"login-problem\">{E(problem)}</p>") +
              "<form method=\"post\" action=\"/fleet/login\"><label>Fleet token <input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\" required></label> " +
              "<button type=\"submit\" id=\"login\">Open the fleet view</button></form>"
            : "<p>The fleet view is off: serve was started without <code>--fleet-token-file</code>.</p>";
        return Html(ctx, 401, "Fleet: sign in", body);
    }

    public IReadOnlyList<FleetRow> Rows()
    {
        var (_, entries) = registry.Current;
        var now = options.Now();
        var energy = Energy();
        var rows = new List<FleetRow>();
        foreach (var last in store.LastBatches())
        {
            var recent = store.RecentBatches(last.Node, Recent); // newest first
            TimeSpan? interval = null;
            if (recent.Count >= 2)
            {
                // On the node's clock (last sample of each batch): its publish cadence, whatever the receiver's delays.
                var gaps = recent.Zip(recent.Skip(1), (a, b) => (double)(a.LastTime - b.LastTime)).Where(g => g > 0).Order().ToList();
                interval = gaps.Count > 0 ? TimeSpan.FromSeconds(gaps[gaps.Count / 2]) : null;
            }

            DateTimeOffset? next = interval is { } i ? last.ReceivedAt + i : null;
            TimeSpan allowed = interval is { } iv ? TimeSpan.FromTicks(Math.Max(iv.Ticks * SilentIntervals, MinSilence.Ticks)) : TimeSpan.FromHours(1);
            bool silent = now - last.ReceivedAt > allowed;

            long? mv = last.Diagnostic("battery_mv");
            double? trend = null;
            var withMv = recent.Where(b => b.Diagnostic("battery_mv") is not null && b.LastTime > 0).ToList();
            if (withMv.Count >= 2 && withMv[0].LastTime > withMv[^1].LastTime)
            {
                double days = (withMv[0].LastTime - withMv[^1].LastTime) / 86400.0;
                trend = (withMv[0].Diagnostic("battery_mv")!.Value - withMv[^1].Diagnostic("battery_mv")!.Value) / days;
            }

            double? daysLeft = null;
            if (mv is long m && energy?.Nodes.FirstOrDefault(n => n.Node == last.Node) is { } fig)
            {
                daysLeft = Math.Round(fig.Days * StateOfCharge((int)m), 1);
            }

            long? safe = last.Diagnostic("safe_mode_boots");
            bool inSafeMode = safe is long s && recent.Count >= 2 && recent[1].Diagnostic("safe_mode_boots") is long before && s > before;
            var faults = store.Faults(last.Node, last.LastTime - 86400).ToDictionary(kv => Channels.Name(kv.Key), kv => kv.Value);
            rows.Add(new FleetRow(last.Node, entries.GetValueOrDefault(last.Node)?.Name ?? $"Node {last.Node}", last.ReceivedAt, last.LastTime, interval, next, silent,
                mv, trend is double t ? Math.Round(t, 1) : null, daysLeft, mv is long low && low < LowBatteryMv, last.Diagnostic("rssi_dbm"), faults,
                last.Diagnostic("dropped_readings"), last.Diagnostic("dropped_batches"), last.Diagnostic("config_version"), last.Diagnostic("config_rejected_version"),
                safe, inSafeMode, last.DiagnosticsText, FirmwareOf(last.Diagnostic(NodeDiagnostics.FieldName(NodeDiagnostics.OtaVersion)), last.Diagnostic(NodeDiagnostics.FieldName(NodeDiagnostics.OtaState)))));
        }

        return rows;
    }

    /// <summary>Charge left (0..1) at a battery voltage: the inverse of the Li-ion curve (monotonic), by bisection.</summary>
    public static double StateOfCharge(int millivolts)
    {
        double lo = 0, hi = 1;
        for (int i = 0; i < 30; i++)
        {
            double mid = (lo + hi) / 2;
            if (SimulatedNode.LiIonMillivolts(mid) < millivolts)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return Math.Round(lo, 3);
    }

    /// <summary>energy --from's figures for every node, computed again when new batches arrived (at most once a minute).</summary>
    private EnergyCalibration? Energy()
    {
        lock (_lock)
        {
            var count = store.Count().Batches;
            if (count != _energy.Batches && options.Now() - _energy.At > TimeSpan.FromMinutes(1) || _energy.Batches < 0)
            {
                EnergyCalibration? figures = null;
                try
                {
                    var board = Boards.Load(options.Board);
                    // energy --from's defaults: 5 channels (BME280 + SDS011), sample 60 s, publish <= 15 min.
                    var workload = EnergyReport.Workload.Generic(5, 60, 900);
                    figures = EnergyCalibration.From(store, board, workload, options.CapacityMah ?? board.Power.BatteryMilliampHours);
                }
                catch (FormatException)
                {
                    // no batch carries time diagnostics yet: no days-left figures
                }

                _energy = (count, options.Now(), figures);
            }

            return _energy.Figures;
        }
    }

    private static string E(string s) => HtmlEncoder.Default.Encode(s);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Cell(string text, IFormattable? sortKey, string? css = null) =>
        $"<td{(css is null ? "" : $" class=\"{css}\"")}{(sortKey is null ? " data-sort=\"\"" : $" data-sort=\"{sortKey.ToString(null, CultureInfo.InvariantCulture)}\"")}>{text}</td>";

    /// <summary>
    /// What the firmware column says, from the batch's <c>ota_version</c> and <c>ota_state</c> (docs/payload.md):
    /// the running release, "cable image" for the image installed by cable (version 0), and "not
    /// reported" for a node whose firmware predates those fields (nothing is guessed).
    /// </summary>
    public static string FirmwareOf(long? otaVersion, long? otaState) => otaVersion switch
    {
        null => FirmwareNotReported,
        0 => "cable image",
        long v => OtaVersion.Format((uint)v) + (otaState switch
        {
            (long)OtaState.Trial => " (trial)",
            (long)OtaState.RolledBack => " (rolled back to it)",
            _ => "",
        }),
    };

    public const string FirmwareNotReported = "not reported (firmware before the OTA diagnostics)";

    private static string FleetTable(IReadOnlyList<FleetRow> rows)
    {
        var sb = new StringBuilder();
        int silent = rows.Count(r => r.Silent), low = rows.Count(r => r.LowBattery);
        sb.Append(CultureInfo.InvariantCulture, $"<p id=\"summary\">{rows.Count} nodes; {silent} silent too long; {low} with a low battery (below {LowBatteryMv} mV, the firmware's low_battery_mv). ")
            .Append("Click a column to sort. Days left: battery life at full charge from the node's reported phase times (as <code>citynode energy --from</code>) × the charge its voltage shows. ")
            .Append("Firmware: the running release from each node's <code>ota_version</code> (docs/ota.md).</p>");
        sb.Append("<table id=\"fleet\" class=\"sortable\"><thead><tr>");
        foreach (string h in new[] { "node", "name", "last seen", "expected next", "state", "battery mV", "trend mV/day", "days left", "RSSI dBm", "sensor faults (24 h)", "dropped readings", "dropped batches", "config", "refused config", "firmware", "safe-mode boots", "note" })
        {
            sb.Append("<th>").Append(E(h)).Append("</th>");
        }

        sb.Append("</tr></thead><tbody>");
        foreach (var r in rows)
        {
            var flags = new List<string>();
            if (r.Silent)
            {
                flags.Add("<span class=\"flag silent\">silent</span>");
            }

            if (r.LowBattery)
            {
                flags.Add("<span class=\"flag low-battery\">low battery</span>");
            }

            if (r.SafeMode)
            {
                flags.Add("<span class=\"flag safe\">safe mode</span>");
            }

            long faults = r.FaultsPerChannel.Values.Sum();
            sb.Append(CultureInfo.InvariantCulture, $"<tr data-node=\"{r.Node}\" class=\"{(r.LowBattery ? "low-battery " : "")}{(r.Silent ? "silent" : "")}\">")
                .Append(Cell($"<a href=\"/fleet/nodes/{r.Node}\">{r.Node}</a>", r.Node))
                .Append(Cell(E(r.Name), null))
                .Append(Cell(Iso(r.LastSeen), r.LastSeen.ToUnixTimeSeconds()))
                .Append(Cell(r.ExpectedNext is { } n ? Iso(n) + (r.PublishInterval is { } pi ? $" (every {ValueParser.FormatDuration((long)Math.Round(pi.TotalSeconds))})" : "") : "-", r.ExpectedNext?.ToUnixTimeSeconds()))
                .Append(Cell(flags.Count == 0 ? "ok" : string.Join(" ", flags), flags.Count, "state"))
                .Append(Cell(r.BatteryMv?.ToString(CultureInfo.InvariantCulture) ?? "-", r.BatteryMv, "battery"))
                .Append(Cell(r.TrendMvPerDay?.ToString("F1", CultureInfo.InvariantCulture) ?? "-", r.TrendMvPerDay))
                .Append(Cell(r.DaysLeft?.ToString("F1", CultureInfo.InvariantCulture) ?? "-", r.DaysLeft, "days-left"))
                .Append(Cell(r.RssiDbm?.ToString(CultureInfo.InvariantCulture) ?? "-", r.RssiDbm))
                .Append(Cell(faults == 0 ? "0" : E(string.Join(", ", r.FaultsPerChannel.Select(kv => $"{kv.Key} {kv.Value}"))), faults))
                .Append(Cell(r.DroppedReadings?.ToString(CultureInfo.InvariantCulture) ?? "-", r.DroppedReadings))
                .Append(Cell(r.DroppedBatches?.ToString(CultureInfo.InvariantCulture) ?? "-", r.DroppedBatches))
                .Append(Cell(r.ConfigVersion?.ToString(CultureInfo.InvariantCulture) ?? "-", r.ConfigVersion))
                .Append(Cell(r.ConfigRejectedVersion is > 0 ? r.ConfigRejectedVersion.Value.ToString(CultureInfo.InvariantCulture) : "-", r.ConfigRejectedVersion))
                .Append(Cell(E(r.Firmware), null, "firmware"))
                .Append(Cell(r.SafeModeBoots?.ToString(CultureInfo.InvariantCulture) ?? "-", r.SafeModeBoots))
                .Append(Cell(E(r.Text ?? ""), null))
                .Append("</tr>");
        }

        sb.Append("</tbody></table>");
        return sb.ToString();
    }

    private static string History(uint node, IReadOnlyList<BatchRecord> batches)
    {
        var cols = StoreSchema.DiagnosticColumns.Where(c => batches.Any(b => b.Diagnostic(c) is not null)).ToList();
        var sb = new StringBuilder($"<p><a href=\"/fleet\">fleet</a> · <a href=\"/nodes/{node}\">public page</a> · the newest {batches.Count} batches</p>");
        sb.Append("<table id=\"history\" class=\"sortable\"><thead><tr><th>seq</th><th>received</th><th>readings from</th><th>to</th><th>readings</th><th>bytes</th>");
        foreach (string c in cols)
        {
            sb.Append("<th>").Append(E(c)).Append("</th>");
        }

        sb.Append("<th>note</th></tr></thead><tbody>");
        foreach (var b in batches)
        {
            sb.Append("<tr>").Append(Cell(b.Sequence.ToString(CultureInfo.InvariantCulture), b.Sequence)).Append(Cell(Iso(b.ReceivedAt), b.ReceivedAt.ToUnixTimeSeconds()))
                .Append(Cell(Iso(DateTimeOffset.FromUnixTimeSeconds(b.FirstTime)), b.FirstTime)).Append(Cell(Iso(DateTimeOffset.FromUnixTimeSeconds(b.LastTime)), b.LastTime))
                .Append(Cell(b.Readings.ToString(CultureInfo.InvariantCulture), b.Readings)).Append(Cell(b.PayloadBytes.ToString(CultureInfo.InvariantCulture), b.PayloadBytes));
            foreach (string c in cols)
            {
                long? v = b.Diagnostic(c);
                sb.Append(Cell(v?.ToString(CultureInfo.InvariantCulture) ?? "", v));
            }

            sb.Append(Cell(E(b.DiagnosticsText ?? ""), null)).Append("</tr>");
        }

        return sb.Append("</tbody></table>").ToString();
    }

    internal static async Task Html(HttpContext ctx, int status, string title, string body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync(
            $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{E(title)} · CityNode</title>" +
            "<link rel=\"stylesheet\" href=\"/static/app.css\"><script src=\"/static/fleet.js\" defer></script></head>" +
            $"<body class=\"fleet\"><header><a href=\"/\">CityNode open data</a> · <strong>{E(title)}</strong> <a class=\"right\" href=\"/fleet/logout\">sign out</a></header><main>{body}</main></body></html>");
    }
}
