using CityNode.NanoTwin;

namespace nanoFramework.Networking
{
    /// <summary>
    /// The lwIP SNTP client. On ESP32 the firmware already starts it at every IP_EVENT_STA_GOT_IP with
    /// 0.pool.ntp.org / 1.pool.ntp.org; a sync sets the RTC (<see cref="TwinBoard.SyncRtc"/>).
    /// </summary>
    // upstream: nanoframework/nanoFramework.Networking.Sntp nanoFramework.Networking.Sntp/Sntp.cs (all native);
    // native nf-interpreter src/DeviceInterfaces/Networking.Sntp/nf_networking_sntp_nanoFramework_Networking_Sntp.cpp.
    internal static class Sntp
    {
        // upstream native Start: sntp_init() (first request after the random startup delay).
        public static void Start()
        {
            var board = Board();
            WifiTwin.StartSntp(board, board.Time.NowMs);
        }

        // upstream native Stop: sntp_stop().
        public static void Stop() => WifiTwin.State(Board()).SntpRunning = false;

        // upstream native UpdateNow: sntp_stop(); sntp_init() — a restart, so the startup delay applies again.
        public static void UpdateNow() => Start();

        // upstream native get_IsStarted: sntp_enabled().
        public static bool IsStarted => WifiTwin.State(Board()).SntpRunning;

        // upstream native get/set_Server1: sntp_getservername(0) / sntp_setservername(0, ...). Null until the
        // firmware's initialize_sntp (first GOT_IP of the boot) or a set; that init overwrites a value set before.
        public static string? Server1
        {
            get => WifiTwin.State(Board()).SntpServer1;
            set => WifiTwin.State(Board()).SntpServer1 = value ?? throw new NullReferenceException();
        }

        // upstream native get/set_Server2: sntp_getservername(1) / sntp_setservername(1, ...).
        public static string? Server2
        {
            get => WifiTwin.State(Board()).SntpServer2;
            set => WifiTwin.State(Board()).SntpServer2 = value ?? throw new NullReferenceException();
        }

        private static TwinBoard Board()
        {
            var board = TwinBoard.Current;
            board.EnsureRunning();
            WifiTwin.Progress(board);
            return board;
        }
    }
}
