using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CityNode.Host.Provisioning;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using CityNode.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CityNode.Serve;

/// <summary>
/// <c>citynode serve</c>: public pages (map, node pages), the open-data API and the fleet view,
/// over a read-only <see cref="ServeStore"/>. Started in-process by the CLI and by the tests.
/// </summary>
public sealed class ServeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServeStore _store;

    private ServeHost(WebApplication app, ServeStore store, Uri url)
    {
        _app = app;
        _store = store;
        Url = url;
    }

    /// <summary>Where it listens (the real port when the options asked for port 0).</summary>
    public Uri Url { get; }

    /// <summary>Opens the store, reads the token and registry, and starts listening. Throws <see cref="StoreException"/> or <see cref="FormatException"/> for a user error.</summary>
    public static async Task<ServeHost> StartAsync(ServeOptions options, CancellationToken ct = default)
    {
        IPEndPoint endpoint = ServeOptions.ParseListen(options.Listen);
        string? token = FleetAuth.ReadToken(options.FleetTokenFile);
        var registry = new RegistrySource(options.Registry);
        _ = registry.Current; // a bad registry is a start-up error, not a 500 later
        var store = ServeStore.Open(options.Database, options.Postgres);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = Array.Empty<string>() });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Listen(endpoint);
                k.AddServerHeader = false;
            });
            var app = builder.Build();
            var site = new Site(store, registry, new FleetAuth(token), new Fleet(store, registry, options));
            site.Map(app);
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new ServeHost(app, store, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal) + "/"));
        }
        catch (IOException e)
        {
            store.Dispose();
            throw new FormatException($"--listen {options.Listen}: cannot listen there ({e.Message.TrimEnd('.')}); choose another port or address", e);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Whether the store has the index the latest values and paging answer from.</summary>
    public bool Indexed => _store.HasNodeTimeIndex();

    /// <summary>Whether the store has the latest tables the latest values are read from.</summary>
    public bool HasLatestTables => _store.HasLatestTables();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _store.Dispose();
    }
}

/// <summary>The registry file, read again when it changes (provision/configure may write it while serve runs).</summary>
internal sealed class RegistrySource(string? path)
{
    private DateTime _stamp = DateTime.MinValue;
    private NodeRegistry _registry = NodeRegistry.Empty();
    private IReadOnlyDictionary<uint, NodeRegistry.Entry> _entries = new Dictionary<uint, NodeRegistry.Entry>();
    private readonly Lock _lock = new();

    public (NodeRegistry Registry, IReadOnlyDictionary<uint, NodeRegistry.Entry> Entries) Current
    {
        get
        {
            if (path is null)
            {
                return (_registry, _entries);
            }

            lock (_lock)
            {
                var stamp = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
                if (stamp != _stamp)
                {
                    if (_stamp == DateTime.MinValue && stamp != DateTime.MinValue)
                    {
                        // First read: errors surface at start-up.
                        var r = NodeRegistry.Load(path);
                        (_registry, _entries) = (r, r.Entries(path));
                    }
                    else
                    {
                        try
                        {
                            var r = NodeRegistry.Load(path);
                            (_registry, _entries) = (r, r.Entries(path));
                        }
                        catch (Exception e) when (e is FormatException or IOException)
                        {
                            Console.Error.WriteLine($"serve: {e.Message} (keeping the registry read before)");
                        }
                    }

                    _stamp = stamp;
                }

                return (_registry, _entries);
            }
        }
    }
}

/// <summary>The routes.</summary>
internal sealed class Site(ServeStore store, RegistrySource registry, FleetAuth auth, Fleet fleet)
{
    public const string DefaultLicence = "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/";
    public const string DefaultAttribution = "CityNode sensor network; simulated cities replay recordings of Sensor.Community (ODbL), the UCI Occupancy Detection data set (CC BY 4.0) and USGS (public domain)";

    public void Map(WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            // Same-origin scripts only (no inline code, no CDN), no framing, no sniffing.
            var h = ctx.Response.Headers;
            h["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";
            h["X-Content-Type-Options"] = "nosniff";
            h["Referrer-Policy"] = "same-origin";
            try
            {
                await next(ctx);
            }
            catch (BadRequestException e)
            {
                await Error(ctx, 400, e.Message);
            }
        });
        app.MapGet("/", ctx => Asset(ctx, "index.html"));
        app.MapGet("/nodes/{id}", ctx => { ApiInput.Node((string)ctx.Request.RouteValues["id"]!); return Asset(ctx, "node.html"); });
        app.MapGet("/static/{file}", ctx => Asset(ctx, (string)ctx.Request.RouteValues["file"]!));
        app.MapGet("/api/levels", Levels);
        app.MapGet("/api/nodes", ctx => Nodes(ctx, null));
        app.MapGet("/api/map", MapData);
        app.MapGet("/api/nodes/{id}", ctx => Nodes(ctx, ApiInput.Node((string)ctx.Request.RouteValues["id"]!)));
        app.MapGet("/api/nodes/{id}/readings", ReadingsPage);
        app.MapGet("/api/nodes/{id}/series", Series);
        fleet.Map(app, auth);
        app.MapFallback(ctx => Error(ctx, 404, $"{ctx.Request.Path}: no such page or API (see / and /api/nodes)"));
    }

    public static async Task Error(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }));
    }

    private static readonly Assembly Here = typeof(Site).Assembly;

    public static async Task Asset(HttpContext ctx, string file)
    {
        using var s = Here.GetManifestResourceStream("wwwroot/" + file);
        if (s is null || file.Contains('/'))
        {
            await Error(ctx, 404, $"{file}: no such file");
            return;
        }

        ctx.Response.ContentType = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        await s.CopyToAsync(ctx.Response.Body);
    }

    private async Task Levels(HttpContext ctx)
    {
        var (reg, _) = registry.Current;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new
        {
            title = reg.Site("title") ?? "CityNode open data",
            licence = reg.Site("licence") ?? DefaultLicence,
            attribution = reg.Site("attribution") ?? DefaultAttribution,
            quantities = CityNode.Serve.Levels.Table.Select(q => new
            {
                channel = q.Channel,
                title = q.Title,
                meaning = q.Meaning,
                source = q.Source,
                note = q.Note,
                bands = q.Bands.Select(b => new { from = b.From, to = b.To, label = b.Label, tone = b.Tone }),
            }),
        }, Json);
    }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// GeoJSON (RFC 7946): a FeatureCollection with a Feature per node (or one Feature), its latest values and
    /// their levels. Written as the latest rows come from the database (ordered by node), flushed in pieces,
    /// so a 10,000-node city is one query and no whole-page buffer.
    /// </summary>
    private async Task Nodes(HttpContext ctx, uint? one)
    {
        var (_, entries) = registry.Current;
        if (one is uint id && !entries.ContainsKey(id) && !store.Latest(id).Any())
        {
            await Error(ctx, 404, $"node {one}: no readings and no registry entry");
            return;
        }

        ctx.Response.ContentType = "application/geo+json; charset=utf-8";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        if (one is null)
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteStartArray("features");
        }

        await ForEachNode(ServeStore.ByNode(store.Latest(one)), one, entries, async (node, entry, latest) =>
        {
            WriteFeature(w, node, entry, latest?.Values ?? new List<Reading>());
            if (w.BytesPending > FlushBytes)
            {
                await w.FlushAsync(ctx.RequestAborted);
            }
        });
        if (one is null)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }

        await w.FlushAsync(ctx.RequestAborted);
    }

    private const int FlushBytes = 64 * 1024;

    /// <summary>
    /// Every node of <paramref name="latest"/> (ordered by node) and of the registry (or just <paramref name="one"/>),
    /// in id order, merged as the rows stream: a registry node without readings comes with no values.
    /// </summary>
    private static async Task ForEachNode(IEnumerable<NodeLatest> latest, uint? one, IReadOnlyDictionary<uint, NodeRegistry.Entry> entries, Func<uint, NodeRegistry.Entry?, NodeLatest?, Task> each)
    {
        var registered = entries.Keys.Where(id => one is null || id == one).Order().ToList();
        int next = 0;
        foreach (var n in latest)
        {
            for (; next < registered.Count && registered[next] < n.Node; next++)
            {
                await each(registered[next], entries[registered[next]], null);
            }

            if (next < registered.Count && registered[next] == n.Node)
            {
                next++;
            }

            await each(n.Node, entries.GetValueOrDefault(n.Node), n);
        }

        for (; next < registered.Count; next++)
        {
            await each(registered[next], entries[registered[next]], null);
        }
    }

    /// <summary>
    /// The map page's data: per node its name, place, and the one value the map colours it by (see
    /// <see cref="Main"/>) — a row of an array each, the level by its index in <c>bands</c>, so a
    /// 10,000-node city is ~650 KB instead of the full GeoJSON's ~6 MB (serve-queries). <c>/api/nodes</c> has everything.
    /// </summary>
    private async Task MapData(HttpContext ctx)
    {
        var (_, entries) = registry.Current;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        var bands = new List<Levels.Band>();
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartObject();
        w.WriteStartArray("fields");
        foreach (string f in new[] { "node", "name", "site", "lon", "lat", "channel", "value", "unit", "band", "time" })
        {
            w.WriteStringValue(f);
        }

        w.WriteEndArray();
        w.WriteStartArray("nodes");
        await ForEachNode(store.LatestOf(MapChannels), null, entries, async (node, entry, latest) =>
        {
            var values = latest?.Values ?? new List<Reading>();
            w.WriteStartArray();
            w.WriteNumberValue(node);
            w.WriteStringValue(Name(node, entry));
            WriteOrNull(w, entry?.Location?.Label);
            if (entry?.Location is { } loc)
            {
                w.WriteNumberValue(loc.Longitude);
                w.WriteNumberValue(loc.Latitude);
            }
            else
            {
                w.WriteNullValue();
                w.WriteNullValue();
            }

            if (Main(values) is (var r, var band))
            {
                int b = bands.IndexOf(band);
                if (b < 0)
                {
                    bands.Add(band);
                    b = bands.Count - 1;
                }

                w.WriteStringValue(J.Of(r.Channel));
                w.WriteRawValue(Reading.Format(r.Value!.Value), skipInputValidation: true);
                w.WriteStringValue(J.Of(r.Unit));
                w.WriteNumberValue(b);
                w.WriteNumberValue(r.Time);
            }
            else
            {
                for (int i = 0; i < 4; i++)
                {
                    w.WriteNullValue();
                }

                if (latest is { } l)
                {
                    w.WriteNumberValue(l.Time);
                }
                else
                {
                    w.WriteNullValue();
                }
            }

            w.WriteEndArray();
            if (w.BytesPending > FlushBytes)
            {
                await w.FlushAsync(ctx.RequestAborted);
            }
        });
        w.WriteEndArray();
        w.WriteStartArray("bands");
        foreach (var b in bands)
        {
            w.WriteStartObject();
            w.WriteString("label", b.Label);
            w.WriteString("tone", b.Tone);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>The channels <see cref="Main"/> chooses from (the only ones /api/map reads).</summary>
    private static readonly int[] MapChannels = CityNode.Serve.Levels.MapPriority.Select(Channels.FromName).ToArray();

    private static void WriteOrNull(Utf8JsonWriter w, string? text)
    {
        if (text is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStringValue(text);
        }
    }

    private static string Iso(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Name(uint id, NodeRegistry.Entry? entry) => entry?.Name ?? $"Node {id}";

    /// <summary>The value the map colours a node by: of the channels with levels, the first of <see cref="Levels.MapPriority"/> the node reports a value for.</summary>
    private static (Reading Reading, Levels.Band Band)? Main(List<Reading> values)
    {
        (Reading, Levels.Band)? main = null;
        int rank = int.MaxValue;
        foreach (var r in values)
        {
            int k = Array.IndexOf(CityNode.Serve.Levels.MapPriority, r.Channel);
            if (k >= 0 && k < rank && r.Value is decimal v && CityNode.Serve.Levels.Level(r.Channel, (double)v) is { } band)
            {
                (main, rank) = ((r, band), k);
            }
        }

        return main;
    }

    private static readonly HashSet<string> WaterChannels = new() { "water_temperature", "ph", "conductivity", "tds", "dissolved_oxygen", "orp", "turbidity", "salinity", "gage_height" };

    /// <summary>
    /// JSON names and repeated strings encoded once: a 10,000-node page writes each of them tens of
    /// thousands of times, and Utf8JsonWriter otherwise transcodes and escape-checks every one.
    /// </summary>
    private static class J
    {
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type"), Feature = JsonEncodedText.Encode("Feature"), Id = JsonEncodedText.Encode("id"),
            Geometry = JsonEncodedText.Encode("geometry"), Point = JsonEncodedText.Encode("Point"), Coordinates = JsonEncodedText.Encode("coordinates"),
            Properties = JsonEncodedText.Encode("properties"), Node = JsonEncodedText.Encode("node"), Name = JsonEncodedText.Encode("name"), Site = JsonEncodedText.Encode("site"),
            Kind = JsonEncodedText.Encode("kind"), Time = JsonEncodedText.Encode("time"), TimeIso = JsonEncodedText.Encode("time_iso"), Values = JsonEncodedText.Encode("values"),
            Value = JsonEncodedText.Encode("value"), Unit = JsonEncodedText.Encode("unit"), Status = JsonEncodedText.Encode("status"), Level = JsonEncodedText.Encode("level"),
            Tone = JsonEncodedText.Encode("tone"), MapChannel = JsonEncodedText.Encode("map_channel"), MapTone = JsonEncodedText.Encode("map_tone");

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonEncodedText> Texts = new();

        /// <summary>A channel, unit, status, level or tone name (a small set: this build's tables, and "chN"/"unit#N" for unknown codes).</summary>
        public static JsonEncodedText Of(string text) => Texts.GetOrAdd(text, t => JsonEncodedText.Encode(t));
    }

    private static void WriteFeature(Utf8JsonWriter w, uint id, NodeRegistry.Entry? entry, List<Reading> values)
    {
        w.WriteStartObject();
        w.WriteString(J.Type, J.Feature);
        w.WriteNumber(J.Id, id);
        if (entry?.Location is { } loc)
        {
            w.WriteStartObject(J.Geometry);
            w.WriteString(J.Type, J.Point);
            w.WriteStartArray(J.Coordinates);
            w.WriteNumberValue(loc.Longitude); // GeoJSON is longitude first (RFC 7946 §3.1.1)
            w.WriteNumberValue(loc.Latitude);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull(J.Geometry);
        }

        w.WriteStartObject(J.Properties);
        w.WriteNumber(J.Node, id);
        w.WriteString(J.Name, Name(id, entry));
        if (entry?.Location?.Label is string label)
        {
            w.WriteString(J.Site, label);
        }

        w.WriteString(J.Kind, values.Count == 0 ? "unknown" : values.Any(v => WaterChannels.Contains(v.Channel)) ? "water" : "air");
        long time = values.Count > 0 ? values.Max(v => v.Time) : 0;
        if (values.Count > 0)
        {
            // The newest of its values; a channel whose newest reading is older (not in the last sample) says when it is from.
            w.WriteNumber(J.Time, time);
            w.WriteString(J.TimeIso, Iso(time));
        }

        w.WriteStartObject(J.Values);
        foreach (var r in values)
        {
            w.WriteStartObject(J.Of(r.Channel));
            if (r.Value is decimal v)
            {
                w.WritePropertyName(J.Value);
                w.WriteRawValue(Reading.Format(v), skipInputValidation: true);
            }
            else
            {
                w.WriteNull(J.Value);
            }

            w.WriteString(J.Unit, J.Of(r.Unit));
            w.WriteString(J.Status, J.Of(r.StatusName));
            if (r.Value is decimal d && CityNode.Serve.Levels.Level(r.Channel, (double)d) is { } band)
            {
                w.WriteString(J.Level, J.Of(band.Label));
                w.WriteString(J.Tone, J.Of(band.Tone));
            }

            if (r.Time != time)
            {
                w.WriteNumber(J.Time, r.Time);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        if (Main(values) is (var main, var mainBand))
        {
            w.WriteString(J.MapChannel, J.Of(main.Channel));
            w.WriteString(J.MapTone, J.Of(mainBand.Tone));
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// A page of a node's readings, SenML (the same records <c>export --senml --node ID</c> writes, by
    /// the same writer) or CSV, in (time, channel) order; <c>Link: &lt;…&gt;; rel="next"</c> (RFC 8288) while more follow.
    /// </summary>
    private async Task ReadingsPage(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        uint node = ApiInput.Node((string)ctx.Request.RouteValues["id"]!);
        int? channel = ApiInput.Channel(q["channel"]);
        var (since, until) = ApiInput.Span(q["since"], q["until"]);
        int limit = ApiInput.Limit(q["limit"]);
        string format = ApiInput.Format(q["format"]);
        var after = ApiInput.After(q["after"]) ?? (since - 1, 255);
        var rows = store.Page(node, channel, since, until, after.Time, after.Channel, limit + 1);
        bool more = rows.Count > limit;
        var page = more ? rows.Take(limit).ToList() : rows;
        if (more)
        {
            var last = page[^1];
            var next = q.Where(kv => kv.Key != "after").Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToString()))
                .Append(KeyValuePair.Create("after", $"{last.Time}.{last.ChannelId}"));
            ctx.Response.Headers["Link"] = $"<{ctx.Request.Path}{new Microsoft.AspNetCore.Http.Extensions.QueryBuilder(next).ToQueryString()}>; rel=\"next\"";
        }

        if (format == "csv")
        {
            ctx.Response.ContentType = "text/csv; charset=utf-8";
            ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"citynode-{node}{(channel is int c ? "-" + Channels.Name(c) : "")}.csv\"";
            var sb = new StringBuilder("node,time,time_iso,channel,unit,value,status\n");
            foreach (var r in page)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{r.Node},{r.Time},{DateTimeOffset.FromUnixTimeSeconds(r.Time):yyyy-MM-dd'T'HH:mm:ss'Z'},{r.Channel},{r.Unit},")
                    .Append(r.Value is decimal v ? Reading.Format(v) : "").Append(',').Append(r.StatusName).Append('\n');
            }

            await ctx.Response.WriteAsync(sb.ToString());
            return;
        }

        ctx.Response.ContentType = "application/senml+json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartArray();
        Senml.WriteReadings(w, page);
        w.WriteEndArray();
        await w.FlushAsync();
    }

    /// <summary>A chart: a channel's mean/min/max in <see cref="ApiInput.SeriesBuckets"/> buckets over 24 h, 7 d or 30 d up to the node's latest reading.</summary>
    private async Task Series(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        uint node = ApiInput.Node((string)ctx.Request.RouteValues["id"]!);
        int channel = ApiInput.Channel(q["channel"]) ?? throw new BadRequestException("channel: required for a chart (e.g. channel=pm2_5)");
        long span = ApiInput.Range(q["range"]);
        long? until = ApiInput.Time("until", q["until"]);
        if (until is null)
        {
            var latest = store.LatestReadings(node);
            until = latest.Count > 0 ? latest.Max(r => r.Time) : null;
        }

        ctx.Response.ContentType = "application/json; charset=utf-8";
        if (until is null)
        {
            await ctx.Response.WriteAsync("{\"points\":[]}");
            return;
        }

        long since = until.Value - span;
        long bucket = Math.Max(60, (span + ApiInput.SeriesBuckets - 1) / ApiInput.SeriesBuckets);
        var points = store.Series(node, channel, since, until.Value, bucket);
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new
        {
            node,
            channel = Channels.Name(channel),
            since,
            until,
            bucket_seconds = bucket,
            points = points.Select(p => new[] { p.Time, p.Mean, p.Min, p.Max }),
        });
    }
}
