namespace CityNode.NanoTwin;

/// <summary>The native firmware's own behaviour at reset, installed on a board once (the Wi-Fi driver's boot-time start and auto-join).</summary>
public static class TwinFirmware
{
    public static void Install(TwinBoard board)
    {
        nanoFramework.Networking.WifiTwin.Install(board);
        Clr.BoardConsole.Install();
    }

    /// <summary>Sets the saved Wi-Fi options as a technician's tool would between boots: join at boot (true) or leave Wi-Fi off.</summary>
    public static void SaveWifiAutoConnect(TwinBoard board, bool autoConnect)
    {
        var saved = nanoFramework.Networking.WifiTwin.Saved(board).Copy();
        saved.Options = autoConnect ? (byte)0x06 : (byte)0x01;
        nanoFramework.Networking.WifiTwin.Save(board, saved);
    }
}
