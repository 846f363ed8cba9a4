namespace Switchboard.Samples.Tests.Infrastructure;

/// <summary>A test class with one sample process running for its tests, started with the given settings.</summary>
public abstract class RunningSample(string name, params string[] settings) : IAsyncLifetime
{
    /// <summary>The running sample.</summary>
    protected SampleProcess Sample { get; private set; } = null!;

    /// <summary>Whether to start it with <c>dotnet run</c> (the README's command) rather than its built dll.</summary>
    protected virtual bool WithDotnetRun => false;

    public async Task InitializeAsync() => Sample = WithDotnetRun
        ? await SampleProcess.StartWithDotnetRunAsync(name, settings)
        : await SampleProcess.StartAsync(name, settings);

    public async Task DisposeAsync() => await Sample.DisposeAsync();
}
