using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Statistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "country",
                table: "users",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "statistics_answers",
                columns: table => new
                {
                    question = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    k = table.Column<int>(type: "integer", nullable: false),
                    counted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    population = table.Column<long>(type: "bigint", nullable: true),
                    groups = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_statistics_answers", x => x.question);
                });

            migrationBuilder.CreateTable(
                name: "statistics_requests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    asked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    asker = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    axes = table.Column<List<string>>(type: "text[]", nullable: false),
                    k = table.Column<int>(type: "integer", nullable: false),
                    refusal = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_statistics_requests", x => x.id);
                });

            migrationBuilder.UpdateData(
                table: "data_categories",
                keyColumn: "code",
                keyValue: "account",
                column: "description",
                value: "La langue, le pays déclaré, le statut du compte, ses dates de création et de dernière authentification.");

            migrationBuilder.CreateIndex(
                name: "ix_statistics_requests_asked_at",
                table: "statistics_requests",
                column: "asked_at");

            migrationBuilder.CreateIndex(
                name: "ix_statistics_requests_role_asker_asked_at",
                table: "statistics_requests",
                columns: new[] { "role", "asker", "asked_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "statistics_answers");

            migrationBuilder.DropTable(
                name: "statistics_requests");

            migrationBuilder.DropColumn(
                name: "country",
                table: "users");

            migrationBuilder.UpdateData(
                table: "data_categories",
                keyColumn: "code",
                keyValue: "account",
                column: "description",
                value: "La langue, le statut du compte, ses dates de création et de dernière authentification.");
        }
    }
}
