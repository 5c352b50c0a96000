// The CoreLibrary types whose ESP32 behaviour differs from the .NET base library's (time, sleeping,
// files on I:, the serial console, X.509, Assembly.Load) are the twin's in this build of the device program: a
// global alias wins over the same name imported by `using System...` in the glue files, so the
// glue's source stays exactly what the .nfproj compiles. Nothing outside this assembly sees them.
global using Assembly = CityNode.NanoTwin.Clr.Assembly;
global using CancellationToken = CityNode.NanoTwin.Clr.CancellationToken;
global using CancellationTokenSource = CityNode.NanoTwin.Clr.CancellationTokenSource;
global using Console = CityNode.NanoTwin.Clr.Console;
global using DateTime = CityNode.NanoTwin.Clr.DateTime;
global using Directory = CityNode.NanoTwin.Clr.Directory;
global using Environment = CityNode.NanoTwin.Clr.Environment;
global using File = CityNode.NanoTwin.Clr.File;
global using FileStream = CityNode.NanoTwin.Clr.FileStream;
global using Thread = CityNode.NanoTwin.Clr.Thread;
global using X509Certificate = CityNode.NanoTwin.Clr.X509Certificate;
