using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using CityNode.Serve;
using CityNode.Tests.Cli;
using CityNode.Tests.Receiving;
using Xunit;

namespace CityNode.Tests.Serve;

/// <summary>The open-data API and the fleet door of <c>citynode serve</c>, against the receiver's own readings of a simulated city.</summary>
[Collection("cli")]
public sealed class ServeApiTests(ServeCity city) : IClassFixture<ServeCity>
{
    private static async Task<(ServeHost Host, HttpClient Http)> Start(ServeOptions o)
    {
        var host = await ServeHost.StartAsync(o);
        return (host, new HttpClient { BaseAddress = host.Url });
    }

    private List<Reading> Stored(uint node)
    {
        using var store = new SqliteStore(city.Db);
        return store.Readings(node).ToList();
    }

    [Fact]
    public async Task GeoJSON_has_a_feature_per_node_with_its_latest_sample_and_levels()
    {
        var (host, http) = await Start(city.Options());
        await using var _ = host;
        var doc = JsonDocument.Parse(await http.GetStringAsync("api/nodes")).RootElement;
        Assert.Equal("FeatureCollection", doc.GetProperty("type").GetString());
        var features = doc.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("id").GetUInt32());
        Assert.Equal(new uint[] { 1, 2, 3, ServeCity.LowBatteryNode }, features.Keys.Order());

        var one = features[1];
        var coords = one.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()).ToArray();
        Assert.Equal(new[] { -2.1038, 57.1446 }, coords); // GeoJSON: longitude first
        Assert.Equal("Union Street", one.GetProperty("properties").GetProperty("name").GetString());

        foreach (uint node in new uint[] { 1, 2, 3 })
        {
            var stored = Stored(node);
            long last = stored.Max(r => r.Time);
            var expected = stored.Where(r => r.Time == last).ToDictionary(r => r.Channel, r => r.Value is decimal v ? Reading.Format(v) : "null");
            var values = features[node].GetProperty("properties").GetProperty("values").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetRawText());
            Assert.Equal(expected.OrderBy(kv => kv.Key), values.OrderBy(kv => kv.Key));
            Assert.Equal(last, features[node].GetProperty("properties").GetProperty("time").GetInt64());
        }

        // 31.9 µg/m³ PM2.5 lies between WHO 2021's interim targets 4 (25) and 3 (37.5): "poor" in the table's words.
        var pm = features[ServeCity.LowBatteryNode].GetProperty("properties").GetProperty("values").GetProperty("pm2_5");
        Assert.Equal("31.9", pm.GetProperty("value").GetRawText());
        Assert.Equal("poor", pm.GetProperty("tone").GetString());
        Assert.Contains("WHO", pm.GetProperty("level").GetString());
    }

    [Fact]
    public async Task Map_data_has_each_nodes_place_and_the_stored_value_it_is_coloured_by()
    {
        var (host, http) = await Start(city.Options());
        await using var _ = host;
        var doc = JsonDocument.Parse(await http.GetStringAsync("api/map")).RootElement;
        var fields = doc.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).ToList();
        var bands = doc.GetProperty("bands").EnumerateArray().ToList();
        var nodes = doc.GetProperty("nodes").EnumerateArray().ToDictionary(n => n[fields.IndexOf("node")].GetUInt32());
        Assert.Equal(new uint[] { 1, 2, 3, ServeCity.LowBatteryNode }, nodes.Keys.ToArray()); // in id order
        JsonElement F(uint node, string field) => nodes[node][fields.IndexOf(field)];

        Assert.Equal("Union Street", F(1, "name").GetString());
        Assert.Equal(-2.1038, F(1, "lon").GetDouble());
        Assert.Equal(57.1446, F(1, "lat").GetDouble());
        Assert.Equal("pm2_5", F(ServeCity.LowBatteryNode, "channel").GetString());
        Assert.Equal("31.9", F(ServeCity.LowBatteryNode, "value").GetRawText());
        Assert.Equal("poor", bands[F(ServeCity.LowBatteryNode, "band").GetInt32()].GetProperty("tone").GetString());
        Assert.Equal("dissolved_oxygen", F(2, "channel").GetString()); // the river node: no PM, dissolved oxygen first
        foreach (uint node in new uint[] { 1, 2, 3 })
        {
            // The value shown is the channel's newest stored reading.
            string channel = F(node, "channel").GetString()!;
            var newest = Stored(node).Where(r => r.Channel == channel).MaxBy(r => r.Time);
            Assert.Equal(Reading.Format(newest.Value!.Value), F(node, "value").GetRawText());
            Assert.Equal(newest.Time, F(node, "time").GetInt64());
        }
    }

    [Fact]
    public async Task Latest_values_are_each_channels_newest_reading_after_a_late_batch_and_a_missing_slot()
    {
        string db = Path.Combine(city.Dir, "late.db");
        using (var store = new SqliteStore(db))
        {
            // Seq 2 first; its last sample has no pH (a missing slot). Then seq 1, older, arrives late.
            store.Store(new[] { StoreContract.Batch(20, 2, samples: 3) });
            store.Store(new[] { StoreContract.Batch(20, 1, samples: 3) });
        }

        List<Reading> stored;
        using (var store = new SqliteStore(db))
        {
            stored = store.Readings(20).ToList();
        }

        var (host, http) = await Start(new ServeOptions { Database = db, Listen = "127.0.0.1:0" });
        await using var _ = host;
        var p = JsonDocument.Parse(await http.GetStringAsync("api/nodes/20")).RootElement.GetProperty("properties");
        long newestTime = stored.Max(r => r.Time);
        Assert.Equal(newestTime, p.GetProperty("time").GetInt64());
        var values = p.GetProperty("values");
        var channels = stored.GroupBy(r => r.Channel).ToList();
        Assert.Equal(channels.Count, values.EnumerateObject().Count());
        foreach (var g in channels)
        {
            var newest = g.MaxBy(r => r.Time);
            Assert.Equal(2u, newest.Sequence); // the late batch changed nothing
            var v = values.GetProperty(g.Key);
            Assert.Equal(newest.Value is decimal d ? Reading.Format(d) : "null", v.GetProperty("value").GetRawText());
            long? expectedTime = newest.Time == newestTime ? null : newest.Time;
            Assert.Equal(expectedTime, v.TryGetProperty("time", out var t) ? t.GetInt64() : null);
        }

        Assert.True(values.GetProperty("ph").TryGetProperty("time", out var _), "pH was not in the last sample: its value says when it is from");
    }

    [Fact]
    public async Task A_database_from_before_the_latest_tables_is_served_from_the_readings()
    {
        string db = Path.Combine(city.Dir, "old.db");
        File.Copy(city.Db, db, overwrite: true);
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DROP TABLE latest; DROP TABLE latest_nodes;"; // as an older receiver left it
            cmd.ExecuteNonQuery();
        }

        var (host, http) = await Start(new ServeOptions { Database = db, Listen = "127.0.0.1:0" });
        await using var _ = host;
        Assert.False(host.HasLatestTables);
        var features = JsonDocument.Parse(await http.GetStringAsync("api/nodes")).RootElement.GetProperty("features").EnumerateArray()
            .ToDictionary(f => f.GetProperty("id").GetUInt32());
        var stored = Stored(3);
        long last = stored.Max(r => r.Time);
        Assert.Equal(
            stored.Where(r => r.Time == last).OrderBy(r => r.Channel, StringComparer.Ordinal).Select(r => $"{r.Channel} {(r.Value is decimal v ? Reading.Format(v) : "null")}"),
            features[3].GetProperty("properties").GetProperty("values").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name} {p.Value.GetProperty("value").GetRawText()}"));
        (await http.GetAsync("api/map")).EnsureSuccessStatusCode();
        (await http.GetAsync("api/nodes/3/series?channel=pm2_5&range=24h")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Fleet_shows_each_nodes_running_release_from_its_ota_diagnostics()
    {
        var (host, http) = await Start(city.Options());
        await using var _ = host;
        using var req = new HttpRequestMessage(HttpMethod.Get, "fleet") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ServeCity.Token) } };
        string html = await (await http.SendAsync(req)).Content.ReadAsStringAsync();
        Assert.Contains("<th>firmware</th>", html);
        // The simulated nodes run the image installed by cable (ota_version 0); node 9's batch says 1.2.3 on trial.
        Assert.Equal(3, Regex.Matches(html, "<td class=\"firmware\"[^>]*>cable image</td>").Count);
        Assert.Matches($"<tr data-node=\"{ServeCity.LowBatteryNode}\"[^>]*>.*<td class=\"firmware\"[^>]*>1\\.2\\.3 \\(trial\\)</td>", html);
        Assert.Equal(Fleet.FirmwareNotReported, Fleet.FirmwareOf(null, null));
    }

    [Fact]
    public async Task Readings_pages_hold_the_same_records_as_export_senml()
    {
        var (host, http) = await Start(city.Options());
        await using var _ = host;
        var pages = new List<SenmlResolver.Resolved>();
        string? next = "api/nodes/1/readings?limit=700";
        int count = 0;
        while (next is not null)
        {
            var resp = await http.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            pages.AddRange(SenmlResolver.Resolve(await resp.Content.ReadAsStringAsync()));
            next = resp.Headers.TryGetValues("Link", out var link) ? Regex.Match(link.Single(), "<([^>]+)>; rel=\"next\"").Groups[1].Value.TrimStart('/') : null;
            count++;
        }

        var (exit, output, err) = await CliRunner.Run("export", "--senml", "--db", city.Db, "--node", "1");
        Assert.True(exit == 0, err);
        var export = SenmlResolver.Resolve(output);
        Assert.True(count > 2, $"{count} pages: the test must cross page boundaries");
        Assert.Equal(export, pages.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Time).ToList());
    }

    [Fact]
    public async Task Csv_of_a_channel_and_time_span_is_every_stored_reading_in_it()
    {
        var (host, http) = await Start(city.Options());
        await using var _ = host;
        var stored = Stored(2).Where(r => r.Channel == "dissolved_oxygen").ToList();
        long since = stored[10].Time, until = stored[^10].Time;
        var expected = stored.Where(r => r.Time >= since && r.Time <= until).Select(r => $"{r.Time},{(r.Value is decimal v ? Reading.Format(v) : "")},{r.StatusName}").ToList();
        string csv = await http.GetStringAsync($"api/nodes/2/readings?channel=dissolved_oxygen&since={since}&until={until}&format=csv&limit=10000");
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("node,time,time_iso,channel,unit,value,status", lines[0]);
        var got = lines.Skip(1).Select(l => l.Split(',')).Select(c => $"{c[1]},{c[5]},{c[6]}").ToList();
        Assert.Equal(expected, got);
    }

    [Theory]
    [InlineData("api/nodes/abc/readings", "node 'abc'")]
    [InlineData("api/nodes/0", "node '0'")]
    [InlineData("api/nodes/1/readings?channel=radon", "channel 'radon'")]
    [InlineData("api/nodes/1/readings?since=2026-11-02&until=2026-11-01", "give since <= until")]
    [InlineData("api/nodes/1/readings?since=yesterday", "since 'yesterday'")]
    [InlineData("api/nodes/1/readings?until=99999999999", "outside the years 2000 to 2200")]
    [InlineData("api/nodes/1/readings?limit=0", "limit '0'")]
    [InlineData("api/nodes/1/readings?limit=10001", "1 to 10000")]
    [InlineData("api/nodes/1/readings?format=xml", "format 'xml'")]
    [InlineData("api/nodes/1/readings?after=12;DROP", "after '12;DROP'")]
    [InlineData("api/nodes/1/series?channel=pm2_5&range=1y", "range '1y'")]
    [InlineData("api/nodes/1/series", "channel: required")]
    public async Task Bad_values_are_400_naming_the_value_and_the_rule(string url, string message)
    {
        var (host, http) = await Start(city.Options());
        await using var _ = host;
        var resp = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        string error = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Fleet_is_refused_without_the_token_and_never_shows_it()
    {
        var (host, http) = await Start(city.Options());
        await using (host)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("fleet")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("fleet/nodes/1")).StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "fleet") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ServeCity.Token + "x") } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
            using var forged = new HttpRequestMessage(HttpMethod.Get, "fleet") { Headers = { { "Cookie", "citynode_fleet=" + ServeCity.Token } } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);
            var badLogin = await http.PostAsync("fleet/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "guess" }));
            Assert.Equal(HttpStatusCode.Unauthorized, badLogin.StatusCode);

            using var right = new HttpRequestMessage(HttpMethod.Get, "fleet") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ServeCity.Token) } };
            var ok = await http.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.DoesNotContain(ServeCity.Token, await ok.Content.ReadAsStringAsync());
            foreach (string page in new[] { "", "nodes/1", "static/node.js", "api/nodes", "api/levels" })
            {
                Assert.DoesNotContain(ServeCity.Token, await http.GetStringAsync(page));
            }
        }

        // No token file: nobody gets in, whatever they send.
        var (closed, http2) = await Start(city.Options(tokenFile: null));
        await using (closed)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, "fleet") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ServeCity.Token) } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http2.SendAsync(req)).StatusCode);
        }
    }

    [Fact]
    public async Task Fleet_flags_the_low_battery_node_and_its_days_left_are_energy_from_times_the_charge_left()
    {
        var (host, http) = await Start(city.Options());
        await using var _ = host;
        using var req = new HttpRequestMessage(HttpMethod.Get, "fleet") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ServeCity.Token) } };
        string html = await (await http.SendAsync(req)).Content.ReadAsStringAsync();
        var rows = Regex.Matches(html, "<tr data-node=\"(\\d+)\" class=\"([^\"]*)\">(.*?)</tr>").ToDictionary(m => uint.Parse(m.Groups[1].Value), m => m);
        Assert.Equal(4, rows.Count);
        Assert.Contains("low-battery", rows[ServeCity.LowBatteryNode].Groups[2].Value);
        Assert.Contains("low battery", rows[ServeCity.LowBatteryNode].Groups[3].Value);
        Assert.Contains($">{ServeCity.LowBatteryMv}<", rows[ServeCity.LowBatteryNode].Groups[3].Value);
        foreach (uint n in new uint[] { 1, 2, 3 })
        {
            Assert.DoesNotContain("low battery", rows[n].Groups[3].Value);
        }

        // energy --from's per-node days on a full battery, times the charge the node's voltage shows.
        var (exit, json, err) = await CliRunner.Run("energy", "--from", city.Db, "--json");
        Assert.True(exit == 0, err);
        var energy = JsonDocument.Parse(json).RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node").GetUInt32());
        foreach (uint n in new uint[] { 1, 2, 3 })
        {
            string row = rows[n].Groups[3].Value;
            int mv = int.Parse(Regex.Match(row, "class=\"battery\" data-sort=\"(\\d+)\"").Groups[1].Value, CultureInfo.InvariantCulture);
            double shown = double.Parse(Regex.Match(row, "class=\"days-left\" data-sort=\"([\\d.]+)\"").Groups[1].Value, CultureInfo.InvariantCulture);
            double expected = Math.Round(energy[n].GetProperty("days").GetDouble() * Fleet.StateOfCharge(mv), 1);
            Assert.Equal(expected, shown);
            Assert.True(shown > 0);
        }
    }

    [Fact]
    public void State_of_charge_inverts_the_cell_curve()
    {
        foreach (double soc in new[] { 0.03, 0.1, 0.35, 0.5, 0.9 })
        {
            Assert.Equal(soc, Fleet.StateOfCharge(CityNode.Host.Simulation.SimulatedNode.LiIonMillivolts(soc)), 2);
        }

        Assert.Equal(0, Fleet.StateOfCharge(2900));
        Assert.Equal(1, Fleet.StateOfCharge(4300), 2);
    }

    [Fact]
    public async Task Serving_leaves_the_database_file_unchanged()
    {
        string Hash() => string.Join(",", new[] { city.Db, city.Db + "-wal" }.Where(File.Exists).Select(f =>
        {
            using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return Convert.ToHexString(SHA256.HashData(s));
        }));
        string before = Hash();
        var (host, http) = await Start(city.Options());
        await using (host)
        {
            foreach (string url in new[] { "api/nodes", "api/nodes/1/readings?limit=50", "api/nodes/2/series?channel=ph&range=7d" })
            {
                (await http.GetAsync(url)).EnsureSuccessStatusCode();
            }
        }

        Assert.Equal(before, Hash());
    }

    [Theory]
    [InlineData(new[] { "--db", "/nonexistent/city.db" }, "--db /nonexistent/city.db: no such file")]
    [InlineData(new[] { "--listen", "localhost" }, "--listen 'localhost'")]
    [InlineData(new[] { "--fleet-token-file", "/nonexistent/token" }, "--fleet-token-file /nonexistent/token: no such file")]
    [InlineData(new[] { "--registry", "/nonexistent/nodes.conf" }, "--registry /nonexistent/nodes.conf: no such file")]
    [InlineData(new[] { "--postgres-password-file", "/nonexistent/pw" }, "it is the password of --postgres; give --postgres too")]
    public async Task Serve_refuses_bad_options_with_exit_1(string[] args, string message)
    {
        var full = new List<string> { "serve" };
        if (!args.Contains("--db"))
        {
            full.AddRange(new[] { "--db", city.Db });
        }

        full.AddRange(args);
        var (exit, _, err) = await CliRunner.Run(full.ToArray());
        Assert.Equal(1, exit);
        Assert.Contains(message, err);
    }

    [Fact]
    public async Task A_short_token_is_refused_at_start()
    {
        string file = Path.Combine(city.Dir, "short.token");
        File.WriteAllText(file, "abc\n");
        var e = await Assert.ThrowsAsync<FormatException>(() => ServeHost.StartAsync(city.Options(tokenFile: file)));
        Assert.Contains("at least 16 characters", e.Message);
    }
}
