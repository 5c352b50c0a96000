namespace CityNode.Esp32
{
    /// <summary>Entry point of the ESP32 application; the glue classes live in Glue/.</summary>
    public static class Program
    {
        public static void Main()
        {
            NodeProgram.Run();
        }
    }
}
