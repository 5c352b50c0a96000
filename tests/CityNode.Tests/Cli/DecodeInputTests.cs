using System.Diagnostics;
using CityNode.Cli.Commands;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary><c>decode -</c> and <c>decode FILE</c> stop reading at the limit (issue 14 item 11); <c>decode --json</c> prints the spec's JSON (issue 18).</summary>
[Collection("cli")]
public class DecodeInputTests
{
    /// <summary>An endless stream of zeros that counts what was taken from it.</summary>
    private sealed class Endless : Stream
    {
        public long Taken { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Taken += count;
            return count;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Taken; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void An_endless_input_is_read_up_to_the_limit_only()
    {
        var input = new Endless();
        var e = Assert.Throws<FormatException>(() => DecodeCommand.ReadBounded(input, "standard input"));
        Assert.InRange(input.Taken, DecodeCommand.MaxInputBytes + 1, DecodeCommand.MaxInputBytes + 1);
        Assert.Equal($"standard input: more than {DecodeCommand.MaxInputBytes} bytes, stopped reading; a payload is at most {BatchDecoder.MaxPayloadBytes} bytes (twice that as hex): give one payload", e.Message);
    }

    [Fact]
    public void A_payload_of_hex_with_line_breaks_at_the_size_limit_still_fits()
    {
        // 1 MiB as hex, 64 digits a line: 2 MiB + 32 K line breaks, under the 4 MiB input limit.
        var text = string.Join("\n", Enumerable.Range(0, BatchDecoder.MaxPayloadBytes / 32).Select(_ => new string('A', 64)));
        var raw = DecodeCommand.ReadBounded(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text)), "x");
        Assert.Equal(text.Length, raw.Length);
    }

    [Fact]
    public void Decode_dash_on_dev_zero_stops_with_an_error()
    {
        // The real command on the real device file: it must end (exit 1) instead of reading forever, within a
        // 64 MB managed heap (the runtime's hard limit: reading all of stdin first would die of OutOfMemory).
        // Measured: 38 MB resident (/usr/bin/time -v).
        string cli = Path.Combine(AppContext.BaseDirectory, "citynode.dll");
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x4000000";
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec dotnet '{cli}' decode - < /dev/zero");
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), "decode - < /dev/zero did not stop");
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("standard input: more than 4194304 bytes, stopped reading", err);
    }

    [Fact]
    public async Task Decode_json_prints_the_spec_line_and_the_refusal()
    {
        var b = CityNode.Tests.Telemetry.CodecRoundTripTests.Batch(new long[] { 1_767_225_600, 1_767_225_660 }, new[] { new[] { 699, 700 } }, new[] { new byte[2] }, new[] { ((int)Channels.AirTemperature, (int)Units.Celsius, 1, -2) });
        var enc = new BatchEncoder(256, 2);
        int len = enc.Encode(b, 17, 5, null);
        string hex = Convert.ToHexString(enc.Buffer[..len]);
        var (exit, stdout, _) = await CliRunner.Run("decode", "--json", hex);
        Assert.Equal(0, exit);
        Assert.Equal(
            "{\"version\":1,\"node_id\":17,\"sequence\":5,\"base_time\":1767225600,\"interval\":60,\"time_mode\":\"regular\",\"skip_hint\":0,\"jitter_hint\":0," +
            "\"times\":[1767225600,1767225660],\"channels\":[{\"id\":1,\"name\":\"air_temperature\",\"unit\":\"Cel\",\"unit_code\":1,\"resolution\":0.01," +
            "\"predictor\":\"previous\",\"hint\":1,\"values\":[6.99,7],\"status\":[\"ok\",\"ok\"]}],\"diagnostics\":{},\"diagnostics_text\":null}",
            stdout.Trim());

        (exit, stdout, var stderr) = await CliRunner.Run("decode", "--json", "C2" + hex[2..]);
        Assert.Equal(1, exit);
        Assert.Equal("{\"error\":{\"offset\":0,\"reason\":\"unknown version 2 (this decoder reads version 1)\"}}", stdout.Trim());
        Assert.Contains("byte 0: unknown version 2", stderr);
    }
}
