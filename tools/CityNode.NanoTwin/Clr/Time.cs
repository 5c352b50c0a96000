namespace CityNode.NanoTwin.Clr;

/// <summary>System.Environment: TickCount64 is the board's uptime (esp_timer, reset by every boot).</summary>
// upstream: nanoframework/CoreLibrary nanoFramework.CoreLibrary/System/Environment.cs; native
// nf-interpreter targets/ESP32/_common/targetHAL_Time.cpp (HAL_Time_CurrentSysTicks from esp_timer_get_time).
public static class Environment
{
    public static long TickCount64
    {
        get
        {
            var b = TwinBoard.Current;
            b.EnsureRunning();
            return b.UptimeMs;
        }
    }
}

/// <summary>
/// System.DateTime as the glue uses it: UtcNow is the board's RTC, which is right only after SNTP
/// has set it (see Board/TwinRtc.cs: what it reads before, and what survives a deep sleep).
/// </summary>
// upstream: nanoframework/CoreLibrary nanoFramework.CoreLibrary/System/DateTime.cs (UtcNow native:
// nf-interpreter src/CLR/CorLib/corlib_native_System_DateTime.cpp → HAL_Time_CurrentDateTime).
public readonly struct DateTime
{
    private const long UnixEpochTicks = 621_355_968_000_000_000L;
    private readonly System.DateTime _value;

    private DateTime(System.DateTime value) => _value = value;

    public static DateTime UtcNow
    {
        get
        {
            var b = TwinBoard.Current;
            b.EnsureRunning();
            return new DateTime(System.DateTime.UnixEpoch.AddMilliseconds(b.RtcUnixMs));
        }
    }

    public long Ticks => _value.Ticks;

    public int Year => _value.Year;

    public int Month => _value.Month;

    public int Day => _value.Day;

    public int Hour => _value.Hour;

    public int Minute => _value.Minute;

    public int Second => _value.Second;

    /// <summary>nanoFramework's DateTime has these (the BCL's has them on DateTimeOffset only).</summary>
    public long ToUnixTimeSeconds() => (_value.Ticks - UnixEpochTicks) / TimeSpan.TicksPerSecond;

    public long ToUnixTimeMilliseconds() => (_value.Ticks - UnixEpochTicks) / TimeSpan.TicksPerMillisecond;

    public static DateTime FromUnixTimeSeconds(long seconds) => new(System.DateTime.UnixEpoch.AddSeconds(seconds));

    public override string ToString() => _value.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>System.Console: the board's serial console (what a technician sees on COM1 at 115200).</summary>
// upstream: nanoframework/CoreLibrary nanoFramework.CoreLibrary/System/Console.cs (Write/WriteLine only).
public static class Console
{
    public static void WriteLine(string value) => TwinBoard.Current.Print(value);

    public static void WriteLine() => TwinBoard.Current.Print("");

    public static void Write(string value) => TwinBoard.Current.Print(value);
}
