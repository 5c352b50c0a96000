using System.Diagnostics;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary>Help, parse errors and tables as a person reads them (issue 14 item 18).</summary>
[Collection("cli")]
public sealed class CliTextTests
{
    [Theory]
    [InlineData("configure", "--timeout", "[default: 20m]")]
    [InlineData("simulate", "--publish", "[default: 15m]")]
    [InlineData("simulate", "--duration", "[default: 1d]")]
    [InlineData("simulate", "--sample", "[default: 1m]")]
    public async Task Help_shows_durations_in_the_syntax_the_options_take(string command, string option, string shown)
    {
        var (exit, stdout, _) = await CliRunner.Run(command, "--help");
        Assert.Equal(0, exit);
        string line = stdout.Split('\n').Single(l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        Assert.Contains(shown, stdout[stdout.IndexOf(line, StringComparison.Ordinal)..].Split("\n  -")[0]);
        Assert.DoesNotMatch(@"\[default: \d+:\d\d:\d\d\]", stdout);
    }

    [Fact]
    public void Readable_rewrites_type_names_and_timespans_only()
    {
        Assert.Equal("Cannot parse argument 'x' for option '--n' as a whole number from 0 up.",
            CityNode.Cli.Commands.Options.Readable("Cannot parse argument 'x' for option '--n' as expected type 'System.Nullable`1[System.UInt32]'."));
        Assert.Equal("a [default: 26h] b [default: 7]", CityNode.Cli.Commands.Options.Readable("a [default: 1.02:00:00] b [default: 7]"));
    }

    [Fact]
    public void Piped_tables_keep_each_row_on_one_line()
    {
        // A real process with stdout piped: Spectre.Console would lay tables out for 80 columns.
        string dll = Path.Combine(AppContext.BaseDirectory, "citynode.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var a in new[] { dll, "simulate", "--nodes", "1", "--duration", "1h" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment.Remove("COLUMNS");
        using var p = Process.Start(start)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        string title = stdout.Split('\n').Single(l => l.Contains("CityNode simulation:", StringComparison.Ordinal));
        Assert.True(title.Length > 80, title);
        Assert.Contains("(embedded broker)", title);
        Assert.Contains(stdout.Split('\n'), l => l.Contains("values checked against the recording", StringComparison.Ordinal) && l.Contains("differ)", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_configure_example_in_the_field_guide_parses_as_given()
    {
        string guide = Repo.Read("docs/field-guide.md").Replace("\\\n", " ");
        var examples = System.Text.RegularExpressions.Regex.Matches(guide, @"citynode (configure [^`\n]*)").Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.True(examples.Count >= 3, string.Join("\n", examples));
        foreach (var example in examples)
        {
            var parse = CityNode.Cli.CliApp.Build().Parse(example.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(parse.Errors.Count == 0, example + ": " + string.Join("; ", parse.Errors.Select(e => e.Message)));
        }
    }
}
