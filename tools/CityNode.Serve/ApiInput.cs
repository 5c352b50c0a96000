using System.Globalization;
using CityNode.Telemetry;
using CityNode.Host.Provisioning;

namespace CityNode.Serve;

/// <summary>A request value that breaks a rule: answered 400 with this message (the value, the rule, what to give).</summary>
public sealed class BadRequestException(string message) : Exception(message);

/// <summary>Validation of query values; every limit of the API is here.</summary>
public static class ApiInput
{
    public const int DefaultPage = 1000;
    public const int MaxPage = 10_000;

    /// <summary>Longest span a chart covers (30 d plus a day's slack).</summary>
    public const long MaxSeriesSeconds = 31 * 86400;

    /// <summary>Points of a chart: enough for a 1000-pixel-wide SVG.</summary>
    public const int SeriesBuckets = 240;

    /// <summary>Times outside year 2000..2200 are typing errors here (nodes take their clock from SNTP).</summary>
    public const long MinTime = 946_684_800;
    public const long MaxTime = 7_258_118_400;

    public static uint Node(string text)
    {
        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) || id == 0)
        {
            throw new BadRequestException($"node '{text}': a node id is a number from {ConfigKeyTable.NodeIdRange}");
        }

        return id;
    }

    /// <summary>A channel by name (<c>pm2_5</c>) or id (<c>5</c>).</summary>
    public static int? Channel(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id is >= 1 and <= 255)
        {
            return id;
        }

        int named = Channels.FromName(text);
        if (named > 0)
        {
            return named;
        }

        throw new BadRequestException($"channel '{text}': not a channel; give a name such as pm2_5, dissolved_oxygen or an id 1 to 255 (see /api/levels)");
    }

    /// <summary>A time as unix seconds or ISO 8601 (2026-11-01T00:00Z), within <see cref="MinTime"/>..<see cref="MaxTime"/>.</summary>
    public static long? Time(string name, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        long t;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long unix))
        {
            t = unix;
        }
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
        {
            t = d.ToUnixTimeSeconds();
        }
        else
        {
            throw new BadRequestException($"{name} '{text}': not a time; give ISO 8601 (2026-11-01T00:00Z) or unix seconds");
        }

        if (t < MinTime || t > MaxTime)
        {
            throw new BadRequestException($"{name} '{text}': outside the years 2000 to 2200");
        }

        return t;
    }

    public static (long Since, long Until) Span(string? sinceText, string? untilText)
    {
        long since = Time("since", sinceText) ?? MinTime;
        long until = Time("until", untilText) ?? MaxTime;
        if (since > until)
        {
            throw new BadRequestException($"since ({sinceText}) is after until ({untilText}): give since <= until");
        }

        return (since, until);
    }

    public static int Limit(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return DefaultPage;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > MaxPage)
        {
            throw new BadRequestException($"limit '{text}': a page holds 1 to {MaxPage} readings (default {DefaultPage}); follow the Link rel=\"next\" header for more");
        }

        return n;
    }

    /// <summary>The paging cursor <c>TIME.CHANNEL</c> of the last reading of the page before.</summary>
    public static (long Time, int Channel)? After(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        string[] p = text.Split('.');
        if (p.Length == 2 && long.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out long t) &&
            int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c is >= 0 and <= 255)
        {
            return (t, c);
        }

        throw new BadRequestException($"after '{text}': not a page cursor; use the Link rel=\"next\" URL of the page before");
    }

    public static string Format(string? text) => text switch
    {
        null or "" or "senml" => "senml",
        "csv" => "csv",
        _ => throw new BadRequestException($"format '{text}': give senml (SenML JSON, RFC 8428) or csv"),
    };

    /// <summary>A chart's span: <c>24h</c>, <c>7d</c> or <c>30d</c>.</summary>
    public static long Range(string? text) => text switch
    {
        null or "" or "24h" => 86400,
        "7d" => 7 * 86400,
        "30d" => 30 * 86400,
        _ => throw new BadRequestException($"range '{text}': give 24h, 7d or 30d"),
    };
}
