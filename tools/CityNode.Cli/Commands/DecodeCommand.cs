using System.CommandLine;
using System.Text;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using Spectre.Console;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode decode FILE|HEX|-</c>: a payload to SenML JSON (default), a table, or the spec's decoded JSON (<c>--json</c>).</summary>
public static class DecodeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("FILE|HEX|-") { Description = "a payload file (binary or hex text), a hex string, or - for standard input" };
        var table = new Option<bool>("--table") { Description = "print a table of readings (with fault flags) and the diagnostics instead of SenML" };
        var json = new Option<bool>("--json") { Description = "print the decoded batch as one line of JSON, as the reference decoders in tools/decoders do (docs/payload.md, Decoded JSON); a refusal prints {\"error\":...}" };
        var command = new Command("decode", "Decode a CityNode payload to SenML JSON (RFC 8428), a table, or the spec's JSON") { input, table, json };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(input)!;
            byte[] payload;
            try
            {
                payload = Read(source);
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("decode: " + e.Message);
                return 1;
            }

            if (parse.GetValue(json))
            {
                bool ok = PayloadJson.TryDecode(payload, out string line, out PayloadException? refused);
                Console.WriteLine(line);
                if (!ok)
                {
                    Console.Error.WriteLine($"decode: not a valid CityNode payload ({payload.Length} bytes): {refused!.Message}");
                    return 1;
                }

                return 0;
            }

            ReceivedBatch batch;
            try
            {
                batch = ReceivedBatch.Decode(payload, DateTimeOffset.UtcNow);
            }
            catch (PayloadException e)
            {
                Console.Error.WriteLine($"decode: not a valid CityNode payload ({payload.Length} bytes): {e.Message}");
                return 1;
            }

            if (parse.GetValue(table))
            {
                PrintTable(batch);
            }
            else
            {
                Console.WriteLine(Senml.ToJson(new[] { batch }, indented: true));
            }

            return 0;
        });
        return command;
    }

    /// <summary>Most bytes read from a file or standard input: a payload of 1 MiB as hex with spaces and line breaks fits.</summary>
    public const int MaxInputBytes = 4 * BatchDecoder.MaxPayloadBytes;

    /// <summary>Reads a payload from a file, a hex string, or standard input (binary or hex).</summary>
    public static byte[] Read(string source)
    {
        byte[] raw;
        if (source == "-")
        {
            using var stdin = Console.OpenStandardInput();
            raw = ReadBounded(stdin, "standard input");
        }
        else if (File.Exists(source))
        {
            using var file = File.OpenRead(source);
            raw = ReadBounded(file, source);
        }
        else if (LooksHex(source))
        {
            return FromHex(source, "argument");
        }
        else
        {
            throw new FormatException($"'{(source.Length > 40 ? source[..40] + "..." : source)}' is neither a file nor a hex string");
        }

        return raw.Length > 0 && LooksHex(Encoding.ASCII.GetString(raw)) ? FromHex(Encoding.ASCII.GetString(raw), source == "-" ? "standard input" : source) : raw;
    }

    /// <summary>
    /// Reads at most <see cref="MaxInputBytes"/> (+1 to know there is more), so an endless input such as
    /// /dev/zero costs 4 MiB of memory and ends in an error instead of filling the memory.
    /// </summary>
    public static byte[] ReadBounded(Stream stream, string where)
    {
        var buffer = new byte[MaxInputBytes + 1];
        int length = 0;
        int n;
        while (length < buffer.Length && (n = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += n;
        }

        if (length > MaxInputBytes)
        {
            throw new FormatException($"{where}: more than {MaxInputBytes} bytes, stopped reading; a payload is at most {BatchDecoder.MaxPayloadBytes} bytes (twice that as hex): give one payload");
        }

        return buffer[..length];
    }

    private static bool LooksHex(string s) => s.Any(char.IsAsciiHexDigit) && s.All(c => char.IsAsciiHexDigit(c) || char.IsWhiteSpace(c));

    private static byte[] FromHex(string text, string where)
    {
        string digits = new(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (digits.Length % 2 != 0)
        {
            throw new FormatException($"{where}: hex text has an odd number of digits ({digits.Length})");
        }

        return Convert.FromHexString(digits);
    }

    private static void PrintTable(ReceivedBatch b)
    {
        AnsiConsole.MarkupLine($"node [bold]{b.NodeId}[/], batch {b.Sequence}, {b.Samples.Count} samples × {b.Samples.ChannelCount} channels, {b.PayloadBytes} bytes ({(double)b.PayloadBytes / Math.Max(1, b.ReadingCount):F2} per reading)");
        var t = new Table().Border(TableBorder.Simple).AddColumn("time (UTC)").AddColumn("channel").AddColumn(new TableColumn("value").RightAligned()).AddColumn("unit").AddColumn("status");
        foreach (var r in Reading.From(b).OrderBy(r => r.Time).ThenBy(r => r.ChannelId))
        {
            t.AddRow(
                DateTimeOffset.FromUnixTimeSeconds(r.Time).ToString("yyyy-MM-dd HH:mm:ss"),
                r.Channel,
                r.Value is decimal v ? Reading.Format(v) : "—",
                Markup.Escape(r.Unit),
                r.Status == ReadingStatus.Ok ? "ok" : $"[yellow]{r.StatusName}[/]");
        }

        AnsiConsole.Write(t);
        if (b.Diagnostics.Count > 0)
        {
            AnsiConsole.MarkupLine("diagnostics: " + Markup.Escape(string.Join(", ", b.Diagnostics.Select(kv => $"{kv.Key}={kv.Value}"))));
        }

        if (b.DiagnosticsText is { } text)
        {
            AnsiConsole.MarkupLine("note: " + Markup.Escape(text));
        }
    }
}
