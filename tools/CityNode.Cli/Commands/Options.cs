using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using CityNode.Config;
using CityNode.Host.Provisioning;

namespace CityNode.Cli.Commands;

/// <summary>Option helpers shared by the verbs.</summary>
public static class Options
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

    /// <summary>A node id option: node.id's own range (the key table), refused with the value and the rule.</summary>
    public static Option<uint> NodeId(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (ConfigKeyTable.ParseNodeId(text) is not uint id)
            {
                r.AddError($"{name} '{text}': a node id is a whole number from {ConfigKeyTable.NodeIdRange}");
                return 0;
            }

            return id;
        },
    };

    /// <summary>A whole-number option with its range, refused with the value and the rule (not a .NET type name).</summary>
    public static Option<int> Count(string name, string description, int defaultValue, int min, int max = int.MaxValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (!ValueParser.TryInteger(text, min, max, out long n))
            {
                r.AddError($"{name} '{text}': a whole number from {min}" + (max == int.MaxValue ? " up" : $" to {max}"));
                return defaultValue;
            }

            return (int)n;
        },
    };

    /// <summary>
    /// Help and parse-error text as a user reads it: durations in the config's own syntax
    /// (<c>[default: 20m]</c>, not TimeSpan's <c>00:20:00</c>) and the kind of value a parser
    /// expected, not its .NET type name (System.CommandLine's messages carry both).
    /// </summary>
    public static string Readable(string text)
    {
        text = Regex.Replace(text, @"\[default: (?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})\]", m =>
        {
            long s = (m.Groups[1].Success ? long.Parse(m.Groups[1].Value) * 86400 : 0) + (long.Parse(m.Groups[2].Value) * 3600) +
                (long.Parse(m.Groups[3].Value) * 60) + long.Parse(m.Groups[4].Value);
            return $"[default: {ValueParser.FormatDuration(s)}]";
        });
        return Regex.Replace(text, @"as expected type '(?:System\.Nullable`1\[)?System\.(\w+)\]?'", m => "as " + m.Groups[1].Value switch
        {
            "Int32" or "Int64" => "a whole number",
            "UInt32" or "UInt64" => "a whole number from 0 up",
            "Double" or "Single" or "Decimal" => "a number (e.g. 2.5)",
            "Boolean" => "true or false",
            "TimeSpan" => "a duration (60, 60s, 15m, 2h, 7d)",
            _ => "a " + m.Groups[1].Value.ToLowerInvariant(),
        });
    }
}
