namespace Switchboard.Host;

/// <summary>
/// The console log of <c>serve</c>: one line per event, readable (<c>--log-format text</c>, the default) or one JSON
/// object per line (<c>--log-format json</c>, for log shippers) with the event id, category, message template values
/// and scopes.
/// </summary>
internal static class ServeLogging
{
    public const string Text = "text";
    public const string Json = "json";

    public static void Configure(ILoggingBuilder logging, string format)
    {
        logging.ClearProviders();
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (format == Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
    }
}
