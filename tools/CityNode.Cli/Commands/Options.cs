using System.CommandLine;
using System.CommandLine.Parsing;
using CityNode.Config;

namespace CityNode.Cli.Commands;

/// <summary>Option helpers shared by the verbs.</summary>
internal static class Options
{
    /// <summary>A duration option: <c>60</c>, <c>60s</c>, <c>15m</c>, <c>2h</c>, <c>7d</c> (the node config's own syntax).</summary>
    public static Option<TimeSpan> Duration(string name, string description, TimeSpan? defaultValue = null)
    {
        var o = new Option<TimeSpan>(name)
        {
            Description = description + " (60, 60s, 15m, 2h, 7d)",
            CustomParser = ParseDuration,
        };
        if (defaultValue is { } d)
        {
            o.DefaultValueFactory = _ => d;
        }

        return o;
    }

    public static TimeSpan ParseDuration(ArgumentResult r)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (!ValueParser.TryDuration(text, out long seconds))
        {
            r.AddError($"'{text}' is not a duration (examples: 60, 60s, 15m, 2h, 7d)");
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(seconds);
    }

    public static Option<bool> Json() => new("--json") { Description = "print a machine-readable JSON summary on standard output" };
}
