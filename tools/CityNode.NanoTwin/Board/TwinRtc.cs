namespace CityNode.NanoTwin;

/// <summary>
/// The ESP32's system time (gettimeofday), which DateTime.UtcNow reads.
/// <para>
/// ESP-IDF keeps it on the RTC timer, which "allows keeping the system time during any resets and
/// sleep modes, only the power-up reset leads to resetting the RTC timer"; the offset set by
/// settimeofday lives in two RTC_STORE registers (esp-idf v5.5.4 components/newlib/src/port/esp_time_impl.c,
/// esp_time_impl_set_boot_time; docs api-reference/system/system_time). So the time survives deep
/// sleep and Power.RebootDevice, and a power cut puts it back to 1970-01-01 plus the time since
/// power-up. nanoFramework neither saves nor restores it: HAL_Time_CurrentDateTime is gettimeofday
/// and HAL_Time_SetUtcTime is settimeofday (nf-interpreter targets/ESP32/_nanoCLR/targetHAL_Time.cpp);
/// SNTP sets it through SetSystemTimeFromUnixEpoch (src/DeviceInterfaces/Networking.Sntp/nf_networking_sntp_nanoFramework_Networking_Sntp.cpp).
/// </para>
/// </summary>
public sealed partial class TwinBoard
{
    private readonly object _rtcLock = new();
    private bool _rtcKnown;
    private long _rtcOffsetMs; // RTC reading = world time + offset

    /// <summary>True once SNTP (or Rtc.SetSystemTime) has set the clock since the last power-up.</summary>
    public bool RtcSet { get; private set; }

    /// <summary>What the RTC reads now, in Unix milliseconds: the world's time once set; before that, the time since power-up (epoch 1970).</summary>
    public long RtcUnixMs
    {
        get
        {
            lock (_rtcLock)
            {
                EnsureRtc();
                return Time.NowMs + _rtcOffsetMs;
            }
        }
    }

    /// <summary>An SNTP sync: the clock takes the world's time (no drift is modelled).</summary>
    public void SyncRtc() => SetRtc(Time.NowMs);

    /// <summary>settimeofday (Rtc.SetSystemTime, SNTP).</summary>
    public void SetRtc(long unixMs)
    {
        lock (_rtcLock)
        {
            _rtcKnown = true;
            _rtcOffsetMs = unixMs - Time.NowMs;
            RtcSet = true;
        }
    }

    /// <summary>
    /// The supply failed: the RTC timer restarts at 0 when power returns. The runner calls this for a
    /// power cut (TwinBoard.Start cannot tell a power-up from a reset); deep sleep and reboot keep the time.
    /// </summary>
    public void RtcPowerLost()
    {
        lock (_rtcLock)
        {
            _rtcKnown = true;
            _rtcOffsetMs = -Time.NowMs; // 1970-01-01 at the moment power comes back (the next boot starts now)
            RtcSet = false;
        }
    }

    // The first reading after the board is built: powered up when this boot started.
    private void EnsureRtc()
    {
        if (!_rtcKnown)
        {
            _rtcKnown = true;
            _rtcOffsetMs = -(Time.NowMs - UptimeMs);
        }
    }
}
