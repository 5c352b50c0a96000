namespace CityNode.Hal
{
    /// <summary>The node's ways to pause or restart (nanoFramework.Hardware.Esp32 Sleep and Runtime.Native Power on the device).</summary>
    public interface ISleeper
    {
        /// <summary>Light sleep (RAM kept), or a plain wait where the chip refuses.</summary>
        void LightSleep(int ms);

        /// <summary>Deep sleep: does not return; the wake is a reset. <paramref name="radioAtWake"/>: the next boot will connect.</summary>
        void DeepSleep(int ms, bool radioAtWake);

        /// <summary>Software reset: does not return.</summary>
        void Reboot();
    }

    /// <summary>Opens the named flash regions a node keeps (journal, staging, config, crash counter).</summary>
    public interface IFlashProvider
    {
        IFlash Open(string name, int sectorSize, int sectorCount);
    }
}
