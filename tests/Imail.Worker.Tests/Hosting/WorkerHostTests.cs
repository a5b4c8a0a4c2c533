namespace Imail.Worker.Tests.Hosting;

public class WorkerHostTests
{
    [Fact]
    public async Task WithoutADatabase_TheWorkerSaysWhatToSet_AndExitsWith2()
    {
        var previous = Environment.GetEnvironmentVariable("ConnectionStrings__Imail");
        Environment.SetEnvironmentVariable("ConnectionStrings__Imail", null);
        var stderr = new StringWriter();
        var original = Console.Error;
        Console.SetError(stderr);
        try
        {
            Assert.Equal(2, await WorkerProgram.Main([]));
            Assert.Contains("ConnectionStrings__Imail", stderr.ToString());
        }
        finally
        {
            Console.SetError(original);
            Environment.SetEnvironmentVariable("ConnectionStrings__Imail", previous);
        }
    }
}
