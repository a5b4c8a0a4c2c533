using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ConsentProofPurgeIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_consents_ended_first_deposit",
                table: "consents",
                column: "first_deposit_at",
                filter: "ended_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_consents_ended_first_deposit",
                table: "consents");
        }
    }
}
